// The web edition: one standalone, accessible HTML page per issue, served beside its PDF and
// images at <PUBLIC_URL>/<publication>/<NNN>/. Links inside the folder are relative. The public
// site (src/site) renders the same page from the stored view, with its navigation around it.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Issue } from '../../issue/model.ts';
import { registerMessageHelpers } from '../../messages/index.ts';
import { pdfFileName } from '../replacements.ts';
import { type IssueView, issueView } from '../view.ts';

const TEMPLATES = fileURLToPath(new URL('../../../templates/web/', import.meta.url));

/** The web edition's view: the issue's view and its PDF's file name. */
export type WebView = IssueView & { pdfName: string };

/** What the public site puts around an issue (src/site); every link relative to the page. */
export interface SiteChrome {
  home: string;
  archive: string;
  subscribe: string;
  atom: string;
  /** The search form's action; absent in a static copy of the site, which links the archive instead. */
  searchAction?: string;
  searchFallback?: string;
  canonical?: string;
  alternates: Array<{ type: string; title: string; href: string }>;
  previous?: { href: string; label: string };
  next?: { href: string; label: string };
  /** The same page in each language it exists in (this one `current`): hreflang links and the switcher. */
  languages?: Array<{ hreflang: string; label: string; href: string; url: string; current: boolean }>;
  /** The default language's page, absolute: hreflang="x-default". */
  xDefault?: string;
}

let compiled: HandlebarsTemplateDelegate | undefined;

/** The web templates' Handlebars: the page and its partials (also the site's and the feeds'). */
export function webTemplates(): typeof Handlebars {
  const handlebars = Handlebars.create();
  registerMessageHelpers(handlebars);
  for (const name of ['content', 'site-head', 'site-nav']) {
    handlebars.registerPartial(name, readFileSync(`${TEMPLATES}${name}.hbs`, 'utf8'));
  }
  return handlebars;
}

/** Drops the compiled template, so the next render reads it again (`bulletin preview`). */
export function forgetWebTemplate(): void {
  compiled = undefined;
}

export function webView(issue: Issue): WebView {
  return { ...issueView(issue, ''), pdfName: pdfFileName(issue.publication.slug, issue.code) };
}

/** The issue's page from its view: the standalone web edition, or with `site` the site's page. */
export function renderIssuePage(view: WebView, site?: SiteChrome): string {
  compiled ??= webTemplates().compile(readFileSync(`${TEMPLATES}issue.hbs`, 'utf8'));
  return compiled({ ...view, site });
}

export function renderWeb(issue: Issue): string {
  return renderIssuePage(webView(issue));
}
