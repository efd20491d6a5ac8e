// What every page of `bulletin serve` promises over real HTTP, whatever a client sends: security
// headers (and a CSP the pages really live with, in Chromium), 405 for a wrong method, and a 4xx,
// never a 500, for a client's mistake.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editionsRoot } from '../../src/campaigns/published-editions.ts';
import { loadIssue } from '../../src/issue/load.ts';
import { editionFolder, writeEditionFiles } from '../../src/render/edition-files.ts';
import { renderEditions } from '../../src/render/editions.ts';
import { publishedIssues, sitePublication, siteRoutes } from '../../src/site/index.ts';
import { loadLists } from '../../src/subscribers/lists.ts';
import { requestSubscription } from '../../src/subscribers/store.ts';
import { listPages } from '../../src/web/list-pages.ts';
import { launchChromium } from '../support/browser.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { type LiveServer, rawRequest, startHttp } from '../support/http.ts';
import { type ListFixture, listFixture } from '../support/list-fixture.ts';

const data = tempDataDir();
let f: ListFixture;
let server: LiveServer;
let proxied: LiveServer;
let confirmToken: string;
let unsubscribeToken: string;

beforeAll(async () => {
  const { issue } = loadIssue('issues/global-eye/005.md');
  if (!issue) throw new Error('issue 005 does not load');
  // The editions as publish stores them, served as `serve` serves them: the public site's pages
  // (home, archive, issue page, search) over the stored files.
  const editions = await renderEditions(issue, { publicUrl: 'https://news.example.org' });
  writeEditionFiles(editionFolder(editionsRoot(data.dir), issue), editions.files);
  f = await listFixture();
  const site = siteRoutes({
    dataDir: data.dir,
    publicUrl: 'https://news.example.org',
    publications: loadLists('issues').publications.map(sitePublication),
    published: publishedIssues(editionsRoot(data.dir)),
    db: f.db,
  });
  const routes = [listPages(f.actions), site];
  server = await startHttp({ routes, logger: false });
  proxied = await startHttp({ routes, logger: false, trustProxy: true });
  const pending = await requestSubscription(f.db, {
    publication: 'global-eye',
    email: 'sweep@example.org',
    source: 'web',
    now: new Date(),
  });
  confirmToken = f.tokens.sign('subscribe', pending);
  unsubscribeToken = f.tokens.sign('unsubscribe', pending);
}, 120_000);

afterAll(async () => {
  await Promise.all([server?.close(), proxied?.close()]);
  await f?.db.close();
  data.remove();
});

const PAGES = [
  '/global-eye/subscribe',
  '/confirm/not-a-token',
  '/global-eye/',
  '/global-eye/005/',
  '/global-eye/005/global-eye-005.pdf',
  '/global-eye/005/images/olga-heaven.png',
  '/no/such/page',
];

describe('security headers', () => {
  it.each(PAGES)(
    '%s carries CSP without inline script, nosniff, referrer policy, no framing',
    async (path) => {
      const res = await fetch(`${server.base}${path}`);
      await res.arrayBuffer();
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(csp).toContain("script-src-attr 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    },
  );

  it('a URL that does not decode is 400, still with nosniff and a CSP', async () => {
    const res = await rawRequest(server.port, '/%zz/%');
    expect(res.status).toBe(400);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('sends HSTS only when the reader came over HTTPS through a trusted proxy', async () => {
    const viaHttps = await rawRequest(proxied.port, '/global-eye/subscribe', {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    });
    expect(viaHttps.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const viaHttp = await rawRequest(proxied.port, '/global-eye/subscribe', {
      headers: { 'x-forwarded-proto': 'http' },
    });
    expect(viaHttp.headers['strict-transport-security']).toBeUndefined();
    // Without TRUST_PROXY anyone could claim HTTPS: the header is not believed.
    const untrusted = await rawRequest(server.port, '/global-eye/subscribe', {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(untrusted.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('the pages live with their CSP in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it.each(['/global-eye/005/', '/global-eye/', '/global-eye/subscribe', `/confirm/CONFIRM`])(
    '%s: no CSP violation, styles applied, images shown',
    async (path) => {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) =>
          console.log(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
        );
      });
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(r.url()));
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      });
      const response = await page.goto(`${server.base}${path.replace('CONFIRM', confirmToken)}`);
      expect(response?.status()).toBe(200);
      // Lazy images load only near the viewport: ask for all of them now.
      const images = await page.evaluate(async () => {
        const all = [...document.images];
        for (const img of all) img.loading = 'eager';
        await Promise.all(all.map((img) => img.decode().catch(() => undefined)));
        return { count: all.length, broken: all.filter((img) => img.naturalWidth === 0).length };
      });
      const styled = await page.evaluate(
        // Every page has an inline <style>: a blocked one leaves the default background and serif font.
        () =>
          getComputedStyle(document.body).backgroundColor !== 'rgba(0, 0, 0, 0)' ||
          !/^"?Times/.test(getComputedStyle(document.body).fontFamily),
      );
      await page.close();
      expect(violations).toEqual([]);
      expect(failed).toEqual([]);
      expect(styled).toBe(true);
      expect(images.broken).toBe(0);
      if (path === '/global-eye/005/') expect(images.count).toBeGreaterThan(0);
    },
  );
});

describe('methods', () => {
  it.each([
    ['PUT', '/global-eye/subscribe', 'GET, HEAD, POST'],
    ['DELETE', '/confirm/abc', 'GET, HEAD, POST'],
    ['PATCH', '/unsubscribe/abc', 'GET, HEAD, POST'],
    ['POST', '/global-eye/005/global-eye-005.pdf', 'GET, HEAD'],
    ['DELETE', '/global-eye/', 'GET, HEAD'],
  ])('%s %s is 405 with Allow: %s', async (method, path, allow) => {
    const res = await rawRequest(server.port, path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
  });

  it('a path no route serves is still 404, and so is an unknown list', async () => {
    expect((await rawRequest(server.port, '/a', { method: 'DELETE' })).status).toBe(404);
    expect((await rawRequest(server.port, '/global-eye/005/no-such.pdf')).status).toBe(404);
    expect((await rawRequest(server.port, '/no-such-list/subscribe')).status).toBe(404);
    expect((await rawRequest(server.port, '/no-such-list/subscribe', { method: 'POST' })).status).toBe(404);
  });
});

describe('request bodies', () => {
  it('a JSON object where the address belongs is 400, and nobody is mailed', async () => {
    const before = f.sent.length;
    const res = await fetch(`${server.base}/global-eye/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: { toString: 'x' }, name: ['a'] }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('That is not an email address');
    expect(f.sent.length).toBe(before);
  });

  it('a one-click body of the wrong shape changes nothing', async () => {
    const res = await fetch(`${server.base}/unsubscribe/${unsubscribeToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'List-Unsubscribe': { a: 'One-Click' } }),
    });
    expect(res.status).toBe(400);
  });

  const BODIES: [string | undefined, string][] = [
    ['application/json', '{"email":{"a":1},"name":{"b":2}}'],
    ['application/json', '{"email":["x@example.org"],"website":{}}'],
    ['application/json', '{"email":null}'],
    ['application/json', 'null'],
    ['application/json', '[1,2,3]'],
    ['application/json', '"just a string"'],
    ['application/json', '42'],
    ['application/json', '{"email":'],
    ['application/json', '{"__proto__":{"email":"x@example.org"}}'],
    ['application/json', '{"constructor":{"prototype":{"email":"x"}}}'],
    ['application/json; charset=utf-16', '{}'],
    ['application/json', ''],
    ['application/x-www-form-urlencoded', 'email=a@example.org&email=b@example.org'],
    ['application/x-www-form-urlencoded', 'email[]=a&email[x]=b&List-Unsubscribe=x&List-Unsubscribe=y'],
    ['application/x-www-form-urlencoded', '%%%&=&==&email=%ZZ'],
    ['application/x-www-form-urlencoded', `email=${'a'.repeat(5000)}@example.org`],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n'],
    ['multipart/form-data', 'garbage'],
    ['text/plain', 'email=a@example.org'],
    ['application/xml', '<email>a@example.org</email>'],
    ['image/png', '\x89PNG'],
    ['', 'email=a@example.org'],
    [undefined, 'email=a@example.org'],
  ];
  const ROUTES = [
    '/global-eye/subscribe',
    '/confirm/TOKEN',
    '/unsubscribe/TOKEN',
    '/confirm/not-a-token',
    '/unsubscribe/not-a-token',
    '/global-eye/',
    '/global-eye/005',
    '/global-eye/005/',
    '/global-eye/005/global-eye-005.pdf',
    '/global-eye/005/..%2f..%2fx',
    '/%zz/%',
    '/global-eye/subscribe?email[a]=1',
  ];

  it('every route answers every malformed body and content type with a 4xx or success, never a 5xx', async () => {
    const answers = new Map<number, number>();
    const fives: string[] = [];
    for (const route of ROUTES) {
      const path = route
        .replace('/confirm/TOKEN', `/confirm/${confirmToken}`)
        .replace('/unsubscribe/TOKEN', `/unsubscribe/${unsubscribeToken}`);
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'OPTIONS']) {
        for (const [type, body] of BODIES) {
          const headers: Record<string, string> = {};
          if (type !== undefined) headers['content-type'] = type;
          const res = await rawRequest(server.port, path, { method, headers, body });
          answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
          if (res.status >= 500) fives.push(`${method} ${route} ${type} → ${res.status}`);
        }
      }
    }
    expect(fives).toEqual([]);
    // The sweep really reached the handlers and the validation, not only the router.
    expect(answers.get(400)).toBeGreaterThan(50);
    expect(answers.get(405)).toBeGreaterThan(50);
    expect(answers.get(415)).toBeGreaterThan(10);
  }, 120_000);

  it('a body over the 1 MiB limit is 413, before it is read', async () => {
    const res = await rawRequest(server.port, '/global-eye/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '2000000' },
      body: '{"email":"',
    });
    expect(res.status).toBe(413);
  });
});
