// The published editions over real HTTP: the PDF and images as browsers and download managers
// fetch them (ranges, revalidation, the file's name), and nothing outside the editions folder.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editionsRoot } from '../../src/campaigns/published-editions.ts';
import { loadIssue } from '../../src/issue/load.ts';
import { editionFolder, writeEditionFiles } from '../../src/render/edition-files.ts';
import { renderEditions } from '../../src/render/editions.ts';
import { editionRoutes } from '../../src/web/editions.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { type LiveServer, rawRequest, startHttp } from '../support/http.ts';

const SECRET = 'SECRET-CONTENT-OUTSIDE-THE-EDITIONS';
const data = tempDataDir();
let server: LiveServer;
let pdf: Buffer;

beforeAll(async () => {
  const { issue } = loadIssue('issues/global-eye/005.md');
  if (!issue) throw new Error('issue 005 does not load');
  const editions = await renderEditions(issue, { publicUrl: 'https://news.example.org' });
  const folder = editionFolder(editionsRoot(data.dir), issue);
  writeEditionFiles(folder, editions.files);
  pdf = readFileSync(join(folder, 'global-eye-005.pdf'));
  // Bait for traversal: files a path trick could reach.
  writeFileSync(join(data.dir, 'secret.pdf'), SECRET);
  writeFileSync(join(data.dir, 'secret.html'), SECRET);
  writeFileSync(join(folder, '.hidden.pdf'), SECRET);
  mkdirSync(join(editionsRoot(data.dir), 'global-eye', '006'), { recursive: true });
  writeFileSync(join(editionsRoot(data.dir), 'global-eye', 'secret.pdf'), SECRET);
  server = await startHttp({ routes: [editionRoutes(data.dir)], logger: false });
}, 120_000);

afterAll(async () => {
  await server?.close();
  data.remove();
});

const PDF_PATH = '/global-eye/005/global-eye-005.pdf';
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.base}${path}`, { headers });

describe('the PDF edition', () => {
  it('is served with its type, its file name, validators, cache and range support', async () => {
    const res = await get(PDF_PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="global-eye-005.pdf"');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toMatch(/^(W\/)?"[^"]+"$/);
    expect(new Date(res.headers.get('last-modified') ?? '').getTime()).not.toBeNaN();
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('answers a Range request with 206 and exactly those bytes', async () => {
    const head = await get(PDF_PATH, { range: 'bytes=0-4' });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-4/${pdf.length}`);
    expect(await head.text()).toBe('%PDF-');
    const tail = await get(PDF_PATH, { range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(pdf.subarray(-10))).toBe(true);
    const middle = await get(PDF_PATH, { range: `bytes=1000-1999` });
    expect([middle.status, middle.headers.get('content-length')]).toEqual([206, '1000']);
    expect(Buffer.from(await middle.arrayBuffer()).equals(pdf.subarray(1000, 2000))).toBe(true);
  });

  it('answers an unsatisfiable range with 416 and the size', async () => {
    const res = await get(PDF_PATH, { range: `bytes=${pdf.length + 10}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${pdf.length}`);
  });

  // Raw requests: fetch adds Cache-Control: no-cache to conditional requests, as browsers' reload does.
  it('answers revalidation with 304 (If-None-Match, If-Modified-Since), and 200 when changed', async () => {
    const first = await rawRequest(server.port, PDF_PATH);
    const etag = first.headers.etag as string;
    const modified = first.headers['last-modified'] as string;
    const byTag = await rawRequest(server.port, PDF_PATH, { headers: { 'if-none-match': etag } });
    expect([byTag.status, byTag.body.length]).toEqual([304, 0]);
    expect(byTag.headers.etag).toBe(etag);
    const byDate = await rawRequest(server.port, PDF_PATH, { headers: { 'if-modified-since': modified } });
    expect([byDate.status, byDate.body.length]).toEqual([304, 0]);
    const stale = await rawRequest(server.port, PDF_PATH, {
      headers: { 'if-none-match': '"something-else"' },
    });
    expect([stale.status, stale.body.length]).toEqual([200, pdf.length]);
    const older = await rawRequest(server.port, PDF_PATH, {
      headers: { 'if-modified-since': new Date(Date.parse(modified) - 86_400_000).toUTCString() },
    });
    expect(older.status).toBe(200);
  });
});

describe('images and the web edition', () => {
  it('serve with their types and validators', async () => {
    const image = await get('/global-eye/005/images/olga-heaven.png');
    expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(image.headers.get('etag')).toBeTruthy();
    expect(image.headers.get('content-disposition')).toBeNull();
    await image.arrayBuffer();
    const page = await get('/global-eye/005/');
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(await page.text()).toContain('Straddling the Border');
  });
});

describe('paths outside the editions', () => {
  it.each([
    '/global-eye/005/..%2f..%2f..%2fsecret.pdf',
    '/global-eye/005/%2e%2e/%2e%2e/%2e%2e/secret.pdf',
    '/global-eye/005/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.pdf',
    '/global-eye/005/images/..%2f..%2f..%2f..%2fsecret.pdf',
    '/global-eye/005/..%5c..%5c..%5csecret.pdf',
    '/global-eye/005/%252e%252e%252f%252e%252e%252fsecret.pdf',
    '/global-eye/005/..%c0%af..%c0%afsecret.pdf',
    '/global-eye/005/....//....//....//secret.pdf',
    '/global-eye/005/..%00/secret.pdf',
    '/global-eye/005/secret.pdf%00.png',
    '/global-eye/005/.hidden.pdf',
    '/global-eye/005/%2ehidden.pdf',
    '/global-eye/005/images/../../secret.pdf',
    '/global-eye/005/../secret.pdf',
    '/global-eye/005/../../../secret.html',
    '/global-eye/%2e%2e/%2e%2e/secret.pdf',
    '/global-eye/006/..%2fsecret.pdf',
    '/..%2f..%2fsecret.pdf/005/x.pdf',
    '/global-eye/005//etc/passwd',
    '/global-eye/005/email.html',
    '/global-eye/005/site.json',
  ])('%s is not served', async (path) => {
    const res = await rawRequest(server.port, path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.toString('latin1')).not.toContain(SECRET);
  });
});
