// `bulletin site --out`: the whole public site as static files, with the served site's paths. Every
// link of every page leads to a file of the copy; search becomes a link to the archive, sign-up a
// mail to the list address; the feeds carry the address the copy is hosted at; nothing that
// `serve` would refuse (email templates, records) is copied.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative as relativePath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editionsRoot } from '../../src/campaigns/published-editions.ts';
import { type ExportResult, exportSite } from '../../src/site/export.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { publications, publishSamples } from './fixture.ts';

const BASE = 'https://archive.example.org/bulletins';
const data = tempDataDir();
const out = join(data.dir, 'site');
let result: ExportResult;

beforeAll(async () => {
  await publishSamples(data.dir);
  result = await exportSite({ dataDir: data.dir, out, publicUrl: BASE, publications: publications() });
}, 180_000);
afterAll(() => data.remove());

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [relativePath(out, join(dir, e.name))],
  );
}

describe('the static copy', () => {
  it('holds every page, feed, PDF and image, and nothing else', () => {
    const files = filesUnder(out).sort();
    const pages = files.filter((f) => f.endsWith('.html'));
    // Home; The Global Eye: 2 archive pages and 12 issues; Trafficking in Migrants: 1 and 1.
    expect(pages).toHaveLength(17);
    expect(result).toEqual({ pages: 17, feeds: 4, issues: 13, files: files.length - 17 - 4 - 2 });
    expect(files).toEqual(
      expect.arrayContaining([
        'index.html',
        'global-eye/index.html',
        'global-eye/page/2/index.html',
        'global-eye/005/index.html',
        'global-eye/005/global-eye-005.pdf',
        'global-eye/005/images/olga-heaven.png',
        'global-eye/feed.xml',
        'global-eye/feed.json',
        'trafficking-in-migrants/025/trafficking-in-migrants-025.pdf',
        'sitemap.xml',
        'robots.txt',
      ]),
    );
    expect(files.filter((f) => /(email\.(html|txt)|site\.json|edition\.json)$/.test(f))).toEqual([]);
    const pdf = 'global-eye/005/global-eye-005.pdf';
    expect(readFileSync(join(out, pdf)).equals(readFileSync(join(editionsRoot(data.dir), pdf)))).toBe(true);
  });

  it('links only to files of the copy, from every page', () => {
    let links = 0;
    for (const page of filesUnder(out).filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(join(out, page), 'utf8');
      for (const [, href] of html.matchAll(/ (?:href|src)="([^"]*)"/g)) {
        if (!href || /^(https?:|mailto:|#)/.test(href)) continue;
        const target = new URL(href, `file:///${page}`).pathname.slice(1);
        const file = target === '' || target.endsWith('/') ? `${target}index.html` : target;
        expect(existsSync(join(out, file)) && statSync(join(out, file)).isFile(), `${page} → ${href}`).toBe(
          true,
        );
        links++;
      }
    }
    expect(links).toBeGreaterThan(400);
  });

  it('has no search form and no web sign-up (they need the server): links to the archive and mail instead', () => {
    for (const page of ['index.html', 'global-eye/index.html', 'global-eye/005/index.html']) {
      const html = readFileSync(join(out, page), 'utf8');
      expect(html, page).not.toContain('role="search"');
      expect(html, page).not.toMatch(/href="(?!mailto:)[^"]*subscribe"/);
    }
    const issue = readFileSync(join(out, 'global-eye/005/index.html'), 'utf8');
    expect(issue).toContain('<a href="../../global-eye/">Find an article: browse every issue</a>');
    expect(issue).toContain('<a href="mailto:globaleye@example.org?subject&#x3D;subscribe">Subscribe</a>');
  });

  it('writes feeds whose links are at the address given', () => {
    const atom = readFileSync(join(out, 'global-eye/feed.xml'), 'utf8');
    expect(atom).toContain(
      `<link rel="self" type="application/atom+xml" href="${BASE}/global-eye/feed.xml"/>`,
    );
    expect(atom).toContain(`href="${BASE}/global-eye/005/global-eye-005.pdf"`);
    const issue = readFileSync(join(out, 'global-eye/005/index.html'), 'utf8');
    expect(issue).toContain(`<link rel="canonical" href="${BASE}/global-eye/005/">`);
    const urls = [...readFileSync(join(out, 'sitemap.xml'), 'utf8').matchAll(/<loc>([^<]+)<\/loc>/g)].map(
      (m) => m[1],
    );
    expect(urls).toHaveLength(17);
    expect(urls).toContain(`${BASE}/global-eye/page/2/`);
  });
});
