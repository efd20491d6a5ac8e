// A publication's feeds as feed readers fetch them: Atom parsed strictly (any XML error or warning
// fails) and checked element by element against RFC 4287's rules, and the JSON Feed 1.1 beside
// it; every link absolute and leading to what it names, the PDF as an enclosure of its real size.

import { DOMParser, type Element } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_URL, type SiteServer, startSite } from './fixture.ts';

const ATOM = 'http://www.w3.org/2005/Atom';
/** RFC 3339 date-time, as atom:updated and atom:published require. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

let site: SiteServer;
let atom: { type: string | null; root: Element };
beforeAll(async () => {
  site = await startSite();
  const res = await fetch(`${site.server.base}/global-eye/feed.xml`);
  const text = await res.text();
  const doc = new DOMParser({
    onError: (level, message) => {
      throw new Error(`${level}: ${message}`);
    },
  }).parseFromString(text, 'application/xml');
  atom = { type: res.headers.get('content-type'), root: doc.documentElement as Element };
}, 180_000);
afterAll(() => site?.close());

/** The children of `parent` in the Atom namespace named `name`. */
const children = (parent: Element, name: string) =>
  Array.from(parent.childNodes).filter(
    (n): n is Element =>
      n.nodeType === 1 && (n as Element).namespaceURI === ATOM && (n as Element).localName === name,
  );
const one = (parent: Element, name: string) => {
  const found = children(parent, name);
  expect(found, `exactly one atom:${name}`).toHaveLength(1);
  return found[0] as Element;
};
const links = (parent: Element) =>
  children(parent, 'link').map((l) => ({
    rel: l.getAttribute('rel') ?? 'alternate',
    type: l.getAttribute('type'),
    href: l.getAttribute('href') ?? '',
    length: l.getAttribute('length'),
  }));
const local = (url: string) => {
  expect(url.startsWith(`${PUBLIC_URL}/`), url).toBe(true);
  return `${site.server.base}${url.slice(PUBLIC_URL.length)}`;
};

describe('the Atom feed', () => {
  it('is Atom, served as such, in the publication’s language', () => {
    expect(atom.type).toBe('application/atom+xml; charset=utf-8');
    expect([atom.root.namespaceURI, atom.root.localName]).toEqual([ATOM, 'feed']);
    expect(atom.root.getAttribute('xml:lang')).toBe('en-GB');
  });

  it('has the feed’s id, title, updated, author and links (self and the archive)', () => {
    expect(one(atom.root, 'id').textContent).toBe(`${PUBLIC_URL}/global-eye/`);
    expect(one(atom.root, 'title').textContent).toBe('The Global Eye on Human Trafficking');
    expect(one(atom.root, 'subtitle').textContent).toContain('A quarterly bulletin');
    expect(one(atom.root, 'updated').textContent).toMatch(RFC3339);
    expect(one(one(atom.root, 'author'), 'name').textContent).toBe(
      'International Organization for Migration',
    );
    expect(links(atom.root)).toEqual([
      { rel: 'self', type: 'application/atom+xml', href: `${PUBLIC_URL}/global-eye/feed.xml`, length: null },
      { rel: 'alternate', type: 'text/html', href: `${PUBLIC_URL}/global-eye/`, length: null },
    ]);
  });

  it('has one entry per issue, newest first, each with RFC 4287’s required elements', () => {
    const entries = children(atom.root, 'entry');
    expect(entries.map((e) => one(e, 'title').textContent)).toEqual(
      Array.from({ length: 12 }, (_, i) =>
        12 - i === 5
          ? 'No. 5: Straddling the Border: Drug Mules and Human Trafficking'
          : `No. ${12 - i}: Theme of issue ${12 - i}`,
      ),
    );
    const ids = entries.map((e) => one(e, 'id').textContent);
    expect(new Set(ids).size).toBe(12);
    for (const entry of entries) {
      expect(one(entry, 'updated').textContent).toMatch(RFC3339);
      expect(one(entry, 'published').textContent).toMatch(RFC3339);
      expect(one(entry, 'summary').getAttribute('type')).toBe('text');
      // At most one alternate link per type (RFC 4287 §4.1.1).
      const alternates = links(entry).filter((l) => l.rel === 'alternate');
      expect(alternates).toHaveLength(1);
    }
    const five = entries[7] as Element;
    expect(one(five, 'id').textContent).toBe(`${PUBLIC_URL}/global-eye/005/`);
    expect(one(five, 'published').textContent).toBe('2009-05-01T00:00:00.000Z');
  });

  it('links each issue’s web edition, and its PDF as an enclosure of the PDF’s real size', async () => {
    const five = children(atom.root, 'entry')[7] as Element;
    const [alternate, enclosure] = links(five);
    expect(alternate).toEqual({
      rel: 'alternate',
      type: 'text/html',
      href: `${PUBLIC_URL}/global-eye/005/`,
      length: null,
    });
    expect(enclosure).toMatchObject({
      rel: 'enclosure',
      type: 'application/pdf',
      href: `${PUBLIC_URL}/global-eye/005/global-eye-005.pdf`,
    });
    const page = await fetch(local(alternate?.href ?? ''));
    expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('Straddling the Border')]);
    const pdf = await fetch(local(enclosure?.href ?? ''));
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    expect(String(bytes.length)).toBe(enclosure?.length);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('carries the full issue as HTML, with absolute links and images only', () => {
    const five = children(atom.root, 'entry')[7] as Element;
    const content = one(five, 'content');
    expect(content.getAttribute('type')).toBe('html');
    const html = content.textContent ?? '';
    for (const heading of [
      'Straddling the Border',
      'Norway Extends Reflection Period',
      'The Blue Blindfold Campaign',
    ])
      expect(html).toContain(heading);
    expect(html).toContain('the ‘boyfriend syndrome.’');
    expect(html).toContain(`<img src="${PUBLIC_URL}/global-eye/005/images/olga-heaven.png"`);
    const urls = [...html.matchAll(/ (?:href|src)="([^"]*)"/g)].map((m) => m[1] as string);
    expect(urls.length).toBeGreaterThan(5);
    expect(urls.filter((u) => !/^(https?:|mailto:)/.test(u))).toEqual([]);
    expect(html).not.toMatch(/<script/i);
  });
});

describe('the JSON Feed', () => {
  it('is JSON Feed 1.1 with the same issues, content and PDF attachments', async () => {
    const res = await fetch(`${site.server.base}/global-eye/feed.json`);
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const feed = (await res.json()) as {
      version: string;
      title: string;
      feed_url: string;
      home_page_url: string;
      language: string;
      items: Array<{
        id: string;
        url: string;
        title: string;
        content_html: string;
        date_published: string;
        attachments: Array<{ url: string; mime_type: string; size_in_bytes: number }>;
      }>;
    };
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'The Global Eye on Human Trafficking',
      feed_url: `${PUBLIC_URL}/global-eye/feed.json`,
      home_page_url: `${PUBLIC_URL}/global-eye/`,
      language: 'en-GB',
    });
    expect(feed.items.map((i) => i.url)).toEqual(
      Array.from({ length: 12 }, (_, i) => `${PUBLIC_URL}/global-eye/${String(12 - i).padStart(3, '0')}/`),
    );
    const five = feed.items[7];
    expect(five?.content_html).toContain('Straddling the Border');
    expect(five?.date_published).toMatch(RFC3339);
    const attachment = five?.attachments[0];
    expect(attachment).toMatchObject({
      url: `${PUBLIC_URL}/global-eye/005/global-eye-005.pdf`,
      mime_type: 'application/pdf',
    });
    const pdf = await fetch(local(attachment?.url ?? ''));
    expect((await pdf.arrayBuffer()).byteLength).toBe(attachment?.size_in_bytes);
  });

  it('exists for a publication too, and not for an unknown one', async () => {
    const migrants = await fetch(`${site.server.base}/trafficking-in-migrants/feed.xml`);
    expect([
      migrants.status,
      (await migrants.text()).includes('<title type="text">Trafficking in Migrants</title>'),
    ]).toEqual([200, true]);
    const unknown = await fetch(`${site.server.base}/nowhere/feed.xml`);
    await unknown.arrayBuffer();
    expect(unknown.status).toBe(404);
  });
});
