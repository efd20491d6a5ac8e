// The email edition: issue model → Handlebars → MJML → one responsive HTML document per issue.
// Per-recipient values stay %%placeholders%% (see ../replacements.ts); MJML never runs per recipient.

import mjml2html from 'mjml';
import type { Issue } from '../../issue/model.ts';
import { BulletinError, error } from '../../problems.ts';
import { EMAIL_TEMPLATES, emailMjml } from './template.ts';

export { EMAIL_TEMPLATES, forgetEmailTemplates } from './template.ts';

export interface EmailEdition {
  subject: string;
  html: string;
  /** The MJML source, kept for debugging templates. */
  mjml: string;
  bytes: number;
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
  const source = emailMjml(issue, options.templatesDir);
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
