// The short notice some readers choose instead of the full email (issue 15, "Readers choose"):
// the subject with links to its web and PDF editions, from templates/email/notice.*.hbs.
// Like the editions it keeps the replacement table's `%%…%%` tokens, filled per recipient by
// delivery; it is rendered once per campaign, never per recipient.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { EMAIL_TEMPLATES } from './email/template.ts';

export interface NoticeInput {
  listName: string;
  subject: string;
  /** The edition's language, for the HTML part's lang; null when the campaign does not say. */
  language: string | null;
  /** Whether the PDF edition goes with it, attached. */
  attached: boolean;
}

let compiled: { text: HandlebarsTemplateDelegate; html: HandlebarsTemplateDelegate } | undefined;

export function renderNotice(input: NoticeInput): { text: string; html: string } {
  if (!compiled) {
    const hbs = Handlebars.create();
    const read = (name: string) => readFileSync(join(EMAIL_TEMPLATES, name), 'utf8');
    compiled = {
      text: hbs.compile(read('notice.txt.hbs'), { noEscape: true }),
      html: hbs.compile(read('notice.html.hbs')),
    };
  }
  return { text: `${compiled.text(input).trim()}\n`, html: compiled.html(input).trim() };
}
