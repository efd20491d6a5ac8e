// The email edition: issue model → Handlebars → MJML → one responsive HTML document per issue.
// Per-recipient values stay %%placeholders%% (see ../placeholders.ts); MJML never runs per recipient.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import type { Issue } from '../../issue/model.ts';
import { BulletinError, error } from '../../problems.ts';
import { PLACEHOLDERS } from '../placeholders.ts';
import { issueView } from '../view.ts';

/** Gmail clips messages whose HTML is larger than this. */
export const GMAIL_CLIP_BYTES = 102_400;

export const EMAIL_TEMPLATES = fileURLToPath(new URL('../../../templates/email/', import.meta.url));

export interface EmailEdition {
  subject: string;
  html: string;
  /** The MJML source, kept for debugging templates. */
  mjml: string;
  bytes: number;
}

type Template = (context: unknown) => string;
const compiled = new Map<string, Template>();

/** Templates are compiled once per directory and process. */
function issueTemplate(dir: string): Template {
  let template = compiled.get(dir);
  if (!template) {
    const hbs = Handlebars.create();
    hbs.registerHelper('upper', (s: unknown) => String(s).toLocaleUpperCase());
    for (const name of ['article', 'entry', 'footer'])
      hbs.registerPartial(name, readFileSync(`${dir}/${name}.mjml.hbs`, 'utf8'));
    template = hbs.compile(readFileSync(`${dir}/issue.mjml.hbs`, 'utf8'), { strict: false, noEscape: false });
    compiled.set(dir, template);
  }
  return template;
}

export function emailSubject(issue: Issue): string {
  const { publication } = issue;
  return publication.numbered
    ? `${publication.name} No. ${issue.number}: ${issue.title}`
    : `${publication.name}: ${issue.title}`;
}

export async function renderEmail(
  issue: Issue,
  options: { templatesDir?: string } = {},
): Promise<EmailEdition> {
  const view = issueView(issue, PLACEHOLDERS.web_url);
  const source = issueTemplate(options.templatesDir ?? EMAIL_TEMPLATES)(view);
  const result = await mjml2html(source, { validationLevel: 'strict', keepComments: false, minify: false });
  if (result.errors.length) {
    throw new BulletinError(
      result.errors.map((e) =>
        error(
          'mjml',
          `${e.tagName}: ${e.message}`,
          'The email templates produced invalid MJML; fix templates/email.',
          {
            file: `${options.templatesDir ?? EMAIL_TEMPLATES}issue.mjml.hbs (generated line ${e.line})`,
          },
        ),
      ),
    );
  }
  // MJML's own minifier (htmlnano) costs ~0.7 s per issue; dropping indentation saves as many bytes.
  const html = result.html.replace(/\n[ \t]+/g, '\n').replace(/\n{2,}/g, '\n');
  return { subject: emailSubject(issue), html, mjml: source, bytes: Buffer.byteLength(html) };
}
