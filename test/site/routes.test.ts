// The public site as `serve` offers it, over real HTTP: the home page, paginated archives, issue
// pages linked to their neighbours, search results, every link of every page leading somewhere,
// the editions' files with ranges and validators, and article permalinks that survive publishing
// an issue again with a changed title.

import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editionsRoot } from '../../src/campaigns/published-editions.ts';
import { indexPublishedIssue } from '../../src/site/index.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { rawRequest } from '../support/http.ts';
import { load, PUBLIC_URL, publish, type SiteServer, startSite } from './fixture.ts';

let site: SiteServer;
beforeAll(async () => {
  site = await startSite();
}, 180_000);
afterAll(() => site?.close());

const get = (path: string, init?: RequestInit) =>
  fetch(`${site.server.base}${path}`, { redirect: 'manual', ...init });
/** The status of a request whose body is read and dropped (an unread body holds its connection open). */
const status = async (path: string, init?: RequestInit) => {
  const res = await get(path, init);
  await res.arrayBuffer();
  return res.status;
};
const page = async (path: string) => {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
  return res.text();
};
const hrefs = (html: string, selector = 'a') =>
  [...html.matchAll(new RegExp(`<${selector}\\b[^>]*\\shref="([^"]*)"`, 'g'))].map((m) => m[1] as string);
const FEATURE = 'straddling-the-border-drug-mules-and-human-trafficking';

describe('the home page', () => {
  it('lists every publication with its tagline, latest issue, archive, sign-up and feeds', async () => {
    const html = await page('/');
    expect(html).toContain('<html lang="en-GB">');
    for (const name of ['The Global Eye on Human Trafficking', 'Trafficking in Migrants'])
      expect(html).toContain(
        `<a href="global-eye/">`.replace(
          'global-eye',
          name === 'Trafficking in Migrants' ? 'trafficking-in-migrants' : 'global-eye',
        ),
      );
    expect(html).toContain('A quarterly bulletin published by the International Organization for Migration');
    expect(html).toContain('<a href="global-eye/012/">No. 12, Theme of issue 12</a>');
    expect(html).toContain('href="trafficking-in-migrants/025/"');
    expect(html).toContain(
      '<a href="global-eye/subscribe">Subscribe to The Global Eye on Human Trafficking</a>',
    );
    expect(html).toContain('<a href="global-eye/012/global-eye-012.pdf">Latest issue as PDF');
    expect(hrefs(html, 'link')).toEqual(
      expect.arrayContaining([
        'global-eye/feed.xml',
        'global-eye/feed.json',
        'trafficking-in-migrants/feed.xml',
        'trafficking-in-migrants/feed.json',
      ]),
    );
  });
});

describe('an archive', () => {
  it('shows ten issues a page, newest first, each with its contents and both editions', async () => {
    const html = await page('/global-eye/');
    const issues = [...html.matchAll(/<h2><a href="\.\.\/global-eye\/(\d{3})\/">/g)].map((m) => m[1]);
    expect(issues).toEqual(['012', '011', '010', '009', '008', '007', '006', '005', '004', '003']);
    expect(html).toContain(`<a href="../global-eye/005/#${FEATURE}">Straddling the Border`);
    expect(html).toContain('<a href="../global-eye/005/global-eye-005.pdf">Download the PDF (');
    expect(html).toContain('<link rel="next" href="../global-eye/page/2/">');
    expect(html).toContain('12 issues, newest first: page 1 of 2.');
    const second = await page('/global-eye/page/2/');
    expect([...second.matchAll(/<h2><a href="[./]*global-eye\/(\d{3})\/">/g)].map((m) => m[1])).toEqual([
      '002',
      '001',
    ]);
    expect(second).toContain('<link rel="prev" href="../../../global-eye/">');
  });

  it('has one address per page: page 1 redirects to the archive, pages past the end are 404', async () => {
    const first = await get('/global-eye/page/1/');
    await first.arrayBuffer();
    expect([first.status, first.headers.get('location')]).toEqual([301, '/global-eye/']);
    const bare = await get('/global-eye/page/2');
    await bare.arrayBuffer();
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/global-eye/page/2/']);
    for (const path of [
      '/global-eye/page/3/',
      '/global-eye/page/0/',
      '/global-eye/page/x/',
      '/nowhere/',
      '/nowhere/page/2/',
    ])
      expect(await status(path), path).toBe(404);
  });
});

describe('an issue page', () => {
  it('links the previous and next issues, the archive, sign-up and the feeds', async () => {
    const html = await page('/global-eye/005/');
    expect(html).toContain(
      '<a href="../../global-eye/004/" rel="prev">← Previous: No. 4, Theme of issue 4</a>',
    );
    expect(html).toContain('<a href="../../global-eye/006/" rel="next">Next: No. 6, Theme of issue 6 →</a>');
    expect(html).toContain('<a href="../../global-eye/">All issues</a>');
    expect(html).toContain('<a href="../../global-eye/subscribe">Subscribe</a>');
    expect(html).toContain(`<article id="${FEATURE}">`);
    expect(html).toContain(`<link rel="canonical" href="${PUBLIC_URL}/global-eye/005/">`);
    expect(hrefs(html, 'link')).toEqual(
      expect.arrayContaining(['../../global-eye/feed.xml', '../../global-eye/feed.json']),
    );
    const newest = await page('/global-eye/012/');
    expect(newest).toContain('rel="prev"');
    expect(newest).not.toContain('rel="next">Next');
    expect(await page('/global-eye/001/')).not.toContain('rel="prev">← Previous');
    expect(await status('/global-eye/013/')).toBe(404);
    expect(await status('/global-eye/005/index.html')).toBe(200);
  });
});

describe('every page', () => {
  it('links only to what exists: a crawl from the home page finds no broken link', async () => {
    const seen = new Set<string>();
    const queue = ['/'];
    let pages = 0;
    while (queue.length && seen.size < 400) {
      const path = queue.shift() as string;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await get(path, { method: /\.(pdf|png|jpe?g|xml|json)$/.test(path) ? 'HEAD' : 'GET' });
      expect(res.status, path).toBe(200);
      if (!res.headers.get('content-type')?.startsWith('text/html')) {
        await res.arrayBuffer();
        continue;
      }
      pages++;
      const html = await res.text();
      for (const href of [
        ...hrefs(html),
        ...hrefs(html, 'link'),
        ...[...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1] as string),
      ]) {
        if (/^(https?:|mailto:|#)/.test(href)) continue;
        const url = new URL(href, `http://site${path}`);
        if (url.pathname.endsWith('/subscribe')) continue; // the sign-up pages are list-pages.ts's
        if (!seen.has(url.pathname)) queue.push(url.pathname);
      }
    }
    // Home, 2 + 1 archive pages, 13 issue pages.
    expect(pages).toBe(17);
  });

  it('carries the security headers of the server', async () => {
    for (const path of ['/', '/global-eye/', '/global-eye/005/', '/search?q=drug', '/global-eye/feed.xml']) {
      const res = await get(path);
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      await res.arrayBuffer();
    }
  });
});

describe('for feed readers and search engines', () => {
  it('answers a feed or page asked again with its ETag with 304', async () => {
    for (const path of [
      '/global-eye/feed.xml',
      '/global-eye/feed.json',
      '/global-eye/',
      '/global-eye/005/',
    ]) {
      const first = await get(path);
      await first.arrayBuffer();
      const etag = first.headers.get('etag') as string;
      expect(etag, path).toMatch(/^"[\w-]+"$/);
      expect(
        (await rawRequest(site.server.port, path, { headers: { 'if-none-match': etag } })).status,
        path,
      ).toBe(304);
      expect(
        (await rawRequest(site.server.port, path, { headers: { 'if-none-match': '"other"' } })).status,
        path,
      ).toBe(200);
    }
  });

  it('offers a sitemap of every page and a robots.txt that keeps crawlers out of search and tokens', async () => {
    const res = await get('/sitemap.xml');
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const urls = [...(await res.text()).matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    // Home, 2 + 1 archive pages, 13 issues: the pages the crawl above found.
    expect(urls).toHaveLength(17);
    expect(urls).toEqual(
      expect.arrayContaining([
        `${PUBLIC_URL}/`,
        `${PUBLIC_URL}/global-eye/page/2/`,
        `${PUBLIC_URL}/global-eye/005/`,
      ]),
    );
    const robots = await (await get('/robots.txt')).text();
    expect(robots).toContain('Disallow: /search\n');
    expect(robots).toContain('Disallow: /unsubscribe/\n');
    expect(robots).toContain(`Sitemap: ${PUBLIC_URL}/sitemap.xml`);
  });
});

describe('search', () => {
  it('finds an article across publications and links its permalink with a highlighted snippet', async () => {
    const html = await page('/search?q=boyfriend+syndrome');
    expect(html).toContain(`<a href="global-eye/005/#${FEATURE}">Straddling the Border`);
    expect(html).toContain('<mark>boyfriend</mark> <mark>syndrome</mark>');
    // The Global Eye's eleven other issues here are copies of 005: the newest come first.
    expect(html).toContain('12 articles match “boyfriend syndrome”');
    expect(html).toContain('<meta name="robots" content="noindex">');
  });

  it('searches one publication at /<publication>/search', async () => {
    const everywhere = await page('/search?q=trafficking');
    expect(everywhere).toContain('href="trafficking-in-migrants/025/#');
    const one = await page('/global-eye/search?q=trafficking');
    expect(one).toContain('href="../global-eye/005/#');
    expect(one).not.toContain('trafficking-in-migrants/025/#');
  });

  it('escapes the query and survives what a client sends', async () => {
    const hostile = await page(`/search?q=${encodeURIComponent('<script>alert(1)</script>"')}`);
    expect(hostile).not.toContain('<script>alert');
    expect(hostile).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;"');
    expect(hostile).toContain('No article matches');
    expect(await page('/search?q=a&q=b')).not.toContain('role="status"');
    expect(await page('/search')).toContain('<label for="q">Search every publication</label>');
    expect(await page(`/search?q=${'x'.repeat(5000)}`)).toContain('No article matches');
    expect(await status('/nowhere/search?q=x')).toBe(404);
  });
});

describe('downloads', () => {
  const PDF = '/global-eye/005/global-eye-005.pdf';
  let pdf: Buffer;
  beforeAll(() => {
    pdf = readFileSync(join(editionsRoot(site.data.dir), 'global-eye', '005', 'global-eye-005.pdf'));
  });

  it('serve the PDF with its type, file name, validators, cache and ranges', async () => {
    const res = await get(PDF);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="global-eye-005.pdf"');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
    const range = await get(PDF, { headers: { range: 'bytes=100-199' } });
    expect([range.status, range.headers.get('content-range')]).toEqual([206, `bytes 100-199/${pdf.length}`]);
    expect(Buffer.from(await range.arrayBuffer()).equals(pdf.subarray(100, 200))).toBe(true);
    const etag = res.headers.get('etag') as string;
    const modified = res.headers.get('last-modified') as string;
    expect((await rawRequest(site.server.port, PDF, { headers: { 'if-none-match': etag } })).status).toBe(
      304,
    );
    expect(
      (await rawRequest(site.server.port, PDF, { headers: { 'if-modified-since': modified } })).status,
    ).toBe(304);
  });

  it('serve images the same way', async () => {
    const path = '/global-eye/005/images/olga-heaven.png';
    const res = await get(path);
    expect([res.status, res.headers.get('content-type'), res.headers.get('accept-ranges')]).toEqual([
      200,
      'image/png',
      'bytes',
    ]);
    await res.arrayBuffer();
    const range = await get(path, { headers: { range: 'bytes=0-7' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).toString('latin1')).toBe('\x89PNG\r\n\x1a\n');
    const etag = res.headers.get('etag') as string;
    expect((await rawRequest(site.server.port, path, { headers: { 'if-none-match': etag } })).status).toBe(
      304,
    );
  });
});

describe('permalinks', () => {
  it('keep working after the issue is published again with an article’s title changed', async () => {
    const copy = tempDataDir();
    try {
      cpSync('issues/global-eye', join(copy.dir, 'global-eye'), { recursive: true });
      const file = join(copy.dir, 'global-eye', '005.md');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          '## Straddling the Border: Drug Mules and Human Trafficking',
          '## Drug Mules at the Border',
        ),
      );
      await publish(site.data.dir, load(file));
      await indexPublishedIssue(site.fixture.db, site.data.dir, 'global-eye', '005');
      const html = await page('/global-eye/005/');
      expect(html).toContain(`<article id="drug-mules-at-the-border"><span id="${FEATURE}"></span>`);
      const results = await page('/global-eye/search?q=boyfriend');
      expect(results).toContain('href="../global-eye/005/#drug-mules-at-the-border"');
    } finally {
      copy.remove();
    }
  });
});

describe('an issue without a record (published before the site)', () => {
  it('is served as its stored web edition', async () => {
    rmSync(join(editionsRoot(site.data.dir), 'global-eye', '001', 'site.json'));
    const html = await page('/global-eye/001/');
    expect(html).not.toContain('class="sitebar"');
    expect(html).toContain('<a class="skip" href="#main">');
  });
});
