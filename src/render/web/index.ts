// The web edition: one standalone, accessible HTML page per issue, served beside its PDF and
// images at <PUBLIC_URL>/<publication>/<NNN>/. Links inside the folder are relative.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Issue } from '../../issue/model.ts';
import { pdfFileName } from '../replacements.ts';
import { issueView } from '../view.ts';

const TEMPLATE = fileURLToPath(new URL('../../../templates/web/issue.hbs', import.meta.url));

let compiled: HandlebarsTemplateDelegate | undefined;

/** Drops the compiled template, so the next render reads it again (`bulletin preview`). */
export function forgetWebTemplate(): void {
  compiled = undefined;
}

export function renderWeb(issue: Issue): string {
  compiled ??= Handlebars.create().compile(readFileSync(TEMPLATE, 'utf8'));
  return compiled({ ...issueView(issue, ''), pdfName: pdfFileName(issue.publication.slug, issue.code) });
}
