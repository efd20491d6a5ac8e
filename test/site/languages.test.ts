// An issue in several languages on the public site: publish stores issue 005 and its French
// translation; each language is served at its own address (/global-eye/005/ and
// /global-eye/fr/005/), the pages link each other with hreflang (and x-default), declare their
// language, and offer a language switcher of plain links; each language has its archive and feeds.
// Over real HTTP, and in the static copy.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeLanguages } from '../../src/campaigns/publish.ts';
import { editionsRoot } from '../../src/campaigns/published-editions.ts';
import { exportSite } from '../../src/site/export.ts';
import { publishedIssues, siteRoutes, syncSearchIndex } from '../../src/site/index.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { type LiveServer, startHttp } from '../support/http.ts';
import { type ListFixture, listFixture } from '../support/list-fixture.ts';
import { load, PUBLIC_URL, publications } from './fixture.ts';

const data = tempDataDir();
const out = join(data.dir, 'site');
let fixture: ListFixture;
let server: LiveServer;

beforeAll(async () => {
  await storeLanguages([load('issues/global-eye/005.md'), load('issues/global-eye/005.fr.md')], {
    dataDir: data.dir,
    publicUrl: PUBLIC_URL,
  });
  fixture = await listFixture();
  const sites = publications();
  await syncSearchIndex(fixture.db, data.dir, sites);
  server = await startHttp({
    routes: [
      siteRoutes({
        dataDir: data.dir,
        publicUrl: PUBLIC_URL,
        publications: sites,
        published: publishedIssues(editionsRoot(data.dir)),
        db: fixture.db,
      }),
    ],
    logger: false,
  });
  await exportSite({ dataDir: data.dir, out, publicUrl: PUBLIC_URL, publications: sites });
}, 240_000);
afterAll(async () => {
  await server?.close();
  await fixture?.close();
  data.remove();
});

const get = (path: string) => fetch(`${server.base}${path}`, { redirect: 'manual' });
const page = async (path: string) => {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return res.text();
};
/** Every `<link rel="alternate" hreflang=…>` of a page: hreflang → href. */
const hreflangs = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">/g)].map((m) => [m[1], m[2]]),
  );
/** The language switcher's links: label → href. */
const switcher = (html: string) => {
  const nav = /<nav class="languages" aria-label="[^"]+">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  return Object.fromEntries(
    [...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[2], m[1]]),
  );
};

describe('publish stores every language', () => {
  it("the default language's editions at global-eye/005/, the French at global-eye/fr/005/", () => {
    const root = editionsRoot(data.dir);
    for (const folder of ['global-eye/005', 'global-eye/fr/005']) {
      for (const file of ['index.html', 'email.html', 'email.txt', 'global-eye-005.pdf', 'site.json'])
        expect(existsSync(join(root, folder, file)), `${folder}/${file}`).toBe(true);
    }
    const record = JSON.parse(readFileSync(join(root, 'global-eye/fr/005/site.json'), 'utf8'));
    expect(record.language).toBe('fr');
    expect(record.view.sections[0].name).toBe('Dossier');
  });
});

describe('each language at its own address, over HTTP', () => {
  it('the French issue page: lang="fr", hreflang to both languages and x-default, a switcher', async () => {
    const html = await page('/global-eye/fr/005/');
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('À cheval sur la frontière');
    expect(hreflangs(html)).toEqual({
      'en-GB': `${PUBLIC_URL}/global-eye/005/`,
      fr: `${PUBLIC_URL}/global-eye/fr/005/`,
      'x-default': `${PUBLIC_URL}/global-eye/005/`,
    });
    expect(switcher(html)).toEqual({ English: '../../../global-eye/005/' });
    expect(html).toContain('<span lang="fr" aria-current="page">Français</span>');
    // Its neighbours are the French archive and feeds.
    expect(html).toContain('<a href="../../../global-eye/fr/">Tous les numéros</a>');
    expect(html).toContain('href="../../../global-eye/fr/feed.xml"');
    // Everything around it in French too: the switcher's name, the feeds' titles.
    expect(html).toContain('<nav class="languages" aria-label="Langues">');
    expect(html).toContain('title="The Global Eye on Human Trafficking (flux Atom)"');
    expect(html).not.toMatch(/aria-label="Languages"|\(Atom\)|JSON Feed\)/);
  });

  it('the English issue page links the French one back', async () => {
    const html = await page('/global-eye/005/');
    expect(html).toContain('<html lang="en-GB">');
    expect(hreflangs(html)).toEqual({
      'en-GB': `${PUBLIC_URL}/global-eye/005/`,
      fr: `${PUBLIC_URL}/global-eye/fr/005/`,
      'x-default': `${PUBLIC_URL}/global-eye/005/`,
    });
    expect(switcher(html)).toEqual({ Français: '../../global-eye/fr/005/' });
  });

  it('the French edition’s files are served beside its page', async () => {
    const pdf = await get('/global-eye/fr/005/global-eye-005.pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const image = await get('/global-eye/fr/005/images/olga-heaven.png');
    expect(image.status).toBe(200);
    await image.arrayBuffer();
    const template = await get('/global-eye/fr/005/email.html');
    expect(template.status).toBe(404);
    await template.arrayBuffer();
  });

  it('the French archive and feeds', async () => {
    const archive = await page('/global-eye/fr/');
    expect(archive).toContain('<html lang="fr">');
    expect(archive).toContain('<h2><a href="../../global-eye/fr/005/">À cheval sur la frontière');
    expect(archive).toContain('<h3>Dossier</h3>');
    expect(hreflangs(archive)).toMatchObject({
      fr: `${PUBLIC_URL}/global-eye/fr/`,
      'en-GB': `${PUBLIC_URL}/global-eye/`,
    });
    const atom = await page('/global-eye/fr/feed.xml');
    expect(atom).toContain('xml:lang="fr"');
    expect(atom).toContain(
      `<link rel="alternate" type="text/html" href="${PUBLIC_URL}/global-eye/fr/005/"/>`,
    );
    const json = JSON.parse(await page('/global-eye/fr/feed.json'));
    expect(json.language).toBe('fr');
    expect(json.items[0].url).toBe(`${PUBLIC_URL}/global-eye/fr/005/`);
    // Each entry titled in French: "N° 5 : …", never "No. 5:".
    expect(json.items[0].title).toMatch(/^N° 5\u00a0: À cheval sur la frontière/);
    expect(atom).toContain('<title type="text">N° 5\u00a0: À cheval sur la frontière');
    expect(json.items[0].attachments[0].title).toMatch(/^Version PDF, /);
  });

  it("each language's search finds its own articles, stemmed in its language, and leads to its edition", async () => {
    // French stems: "frontières" finds the feature's "frontière"; the English search knows no such word.
    const french = await page('/global-eye/fr/search?q=fronti%C3%A8res');
    expect(french).toMatch(/<html lang="fr"/);
    expect(french).toContain('href="../../global-eye/fr/005/#');
    expect(french).toContain('<mark>frontière</mark>');
    const english = await page('/global-eye/search?q=fronti%C3%A8res');
    expect(english).not.toContain('<mark>');
    // "borders" in English finds "Border" of the original only, leading to /global-eye/005/.
    const original = await page('/global-eye/search?q=borders');
    expect(original).toContain('href="../global-eye/005/#');
    expect(original).not.toContain('frontière');
    // The whole site's search covers every language, each hit leading to its own edition.
    const everywhere = await page('/search?q=Hibiscus');
    expect(everywhere).toContain('href="global-eye/fr/005/#');
    expect(everywhere).toContain('href="global-eye/005/#');
    // The French pages' search form searches the French edition.
    expect(await page('/global-eye/fr/')).toContain('action="../../global-eye/fr/search"');
  });

  it('the sitemap lists the French archive and issue', async () => {
    const xml = await page('/sitemap.xml');
    expect(xml).toContain(`<loc>${PUBLIC_URL}/global-eye/fr/</loc>`);
    expect(xml).toContain(`<loc>${PUBLIC_URL}/global-eye/fr/005/</loc>`);
    expect(readFileSync(join(out, 'sitemap.xml'), 'utf8')).toContain(
      `<loc>${PUBLIC_URL}/global-eye/fr/005/</loc>`,
    );
  });

  it('one address per page: folders get their slash, the default language lives at /global-eye/, others are not found', async () => {
    const cases: Array<[string, number, string | null]> = [
      ['/global-eye/fr', 301, '/global-eye/fr/'],
      ['/global-eye/fr/005', 301, '/global-eye/fr/005/'],
      ['/global-eye/en/', 301, '/global-eye/'],
      ['/global-eye/fr/subscribe', 302, '/global-eye/subscribe'],
      ['/global-eye/de/', 404, null],
      ['/global-eye/es/', 404, null],
      ['/global-eye/fr/006/', 404, null],
    ];
    for (const [path, status, location] of cases) {
      const res = await get(path);
      await res.arrayBuffer();
      expect([path, res.status, res.headers.get('location')]).toEqual([path, status, location]);
    }
  });
});

describe('each language in the static copy', () => {
  it('writes the French issue page, archive and feeds at the served paths', () => {
    for (const file of [
      'global-eye/fr/005/index.html',
      'global-eye/fr/005/global-eye-005.pdf',
      'global-eye/fr/index.html',
      'global-eye/fr/feed.xml',
      'global-eye/fr/feed.json',
    ])
      expect(existsSync(join(out, file)), file).toBe(true);
  });

  it('links the languages both ways, each link leading to a file of the copy', () => {
    const french = readFileSync(join(out, 'global-eye/fr/005/index.html'), 'utf8');
    const english = readFileSync(join(out, 'global-eye/005/index.html'), 'utf8');
    expect(french).toContain('<html lang="fr">');
    expect(hreflangs(french).fr).toBe(`${PUBLIC_URL}/global-eye/fr/005/`);
    expect(hreflangs(english).fr).toBe(`${PUBLIC_URL}/global-eye/fr/005/`);
    const toEnglish = switcher(french).English as string;
    const toFrench = switcher(english).Français as string;
    expect(
      existsSync(join(resolve(dirname(join(out, 'global-eye/fr/005/index.html')), toEnglish), 'index.html')),
    ).toBe(true);
    expect(
      existsSync(join(resolve(dirname(join(out, 'global-eye/005/index.html')), toFrench), 'index.html')),
    ).toBe(true);
  });
});
