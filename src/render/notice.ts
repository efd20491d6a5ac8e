// The short notice some readers choose instead of the full email (issue 15, "Readers choose"):
// the subject with links to its web and PDF editions, from templates/email/notice.*.hbs, in
// the edition's language.
// Like the editions it keeps the replacement table's `%%…%%` tokens, filled per recipient by
// delivery; it is rendered once per campaign, never per recipient.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { messagesFor, registerMessageHelpers } from '../messages/index.ts';
import { EMAIL_TEMPLATES } from './email/template.ts';

export interface NoticeInput {
  listName: string;
  subject: string;
  /** The edition's language: the notice speaks it (the catalogues' notice.* messages). */
  language: string;
  /** Whether the PDF edition goes with it, attached. */
  attached: boolean;
}

let compiled: { text: HandlebarsTemplateDelegate; html: HandlebarsTemplateDelegate } | undefined;

export function renderNotice(input: NoticeInput): { text: string; html: string } {
  if (!compiled) {
    const read = (name: string) => readFileSync(join(EMAIL_TEMPLATES, name), 'utf8');
    const text = Handlebars.create();
    registerMessageHelpers(text, { text: true });
    const html = Handlebars.create();
    registerMessageHelpers(html);
    compiled = {
      text: text.compile(read('notice.txt.hbs'), { noEscape: true }),
      html: html.compile(read('notice.html.hbs')),
    };
  }
  const context = {
    ...input,
    lang: input.language,
    rtl: messagesFor(input.language).direction === 'rtl',
  };
  return { text: `${compiled.text(context).trim()}\n`, html: compiled.html(context).trim() };
}
