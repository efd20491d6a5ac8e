// Issue model → the email's MJML source, with the Handlebars templates of templates/email. Kept apart
// from MJML itself so that `bulletin check` can size the email without loading MJML (./size.ts).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Issue } from '../../issue/model.ts';
import { registerMessageHelpers } from '../../messages/index.ts';
import { PLACEHOLDERS } from '../replacements.ts';
import { issueView } from '../view.ts';

export const EMAIL_TEMPLATES = fileURLToPath(new URL('../../../templates/email/', import.meta.url));

type Template = (context: unknown) => string;
const compiled = new Map<string, Template>();

/** Templates are compiled once per directory and process. */
function issueTemplate(dir: string): Template {
  let template = compiled.get(dir);
  if (!template) {
    const hbs = Handlebars.create();
    hbs.registerHelper('upper', (s: unknown) => String(s).toLocaleUpperCase());
    registerMessageHelpers(hbs);
    for (const name of ['article', 'entry', 'footer'])
      hbs.registerPartial(name, readFileSync(`${dir}/${name}.mjml.hbs`, 'utf8'));
    template = hbs.compile(readFileSync(`${dir}/issue.mjml.hbs`, 'utf8'), { strict: false, noEscape: false });
    compiled.set(dir, template);
  }
  return template;
}

/** Drops the compiled templates, so the next render reads them again (`bulletin preview`). */
export function forgetEmailTemplates(): void {
  compiled.clear();
}

/** The MJML document of an issue's email edition; per-recipient values stay %%placeholders%%. */
export function emailMjml(issue: Issue, templatesDir = EMAIL_TEMPLATES): string {
  return issueTemplate(templatesDir)(issueView(issue, PLACEHOLDERS.web_url));
}
