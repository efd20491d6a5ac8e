// The published editions in PostgreSQL, and a serve's editions folder as their cache: what
// `publish` stores (every served file, typed and hashed, one transaction), what a republish drops,
// the site record's anchors kept across machines, and a cache filled at start, on a miss, on
// NOTIFY, and after its LISTEN connection was cut.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EDITIONS_CHANNEL,
  editionsCache,
  storeLocalOnlyIssues,
  storePublishedFiles,
} from '../../src/campaigns/published-editions.ts';
import { loadIssue } from '../../src/issue/load.ts';
import { writeEditionFiles } from '../../src/render/edition-files.ts';
import { type IssueRecord, issueRecord, RECORD_FILE } from '../../src/render/web/record.ts';
import type { Db } from '../../src/store/db.ts';
import { openStore } from '../../src/store/open.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';

const dirs: { dir: string; remove(): void }[] = [];
const folder = () => {
  const data = tempDataDir();
  dirs.push(data);
  return data.dir;
};
let postgres: PostgresServer;
let db: Db;

beforeAll(async () => {
  postgres = await startPostgres();
  db = await openStore(
    { dataDir: folder(), databaseUrl: await postgres.createDatabase() },
    { warn() {}, info() {} },
  );
}, 60_000);
afterAll(async () => {
  await db?.close();
  await postgres?.stop();
  for (const dir of dirs) dir.remove();
});

const { issue } = loadIssue('issues/global-eye/005.md');
if (!issue) throw new Error('the sample issue does not load');
const record = (renamed?: string): IssueRecord => {
  const next = issueRecord(issue, 2048, new Date('2026-11-01T00:00:00Z'));
  if (renamed && next.articles[0]) next.articles[0] = { ...next.articles[0], slug: renamed };
  return next;
};
const pdf = Buffer.alloc(3 * 1024 * 1024, 7); // a PDF of a few MB
const files = (page: string, extra: { name: string; contents: Buffer }[] = [], rec = record()) => [
  { name: 'email.html', contents: '<p>%%unsubscribe_url%%</p>' },
  { name: 'email.txt', contents: '%%unsubscribe_url%%' },
  { name: 'index.html', contents: page },
  { name: 'global-eye-005.pdf', contents: pdf },
  { name: RECORD_FILE, contents: JSON.stringify(rec) },
  ...extra,
];
const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('storing an issue', () => {
  it('keeps every served file with its type and SHA-256, never the email templates; a republish drops what is gone', async () => {
    const map = { name: 'images/map.png', contents: Buffer.from('PNG bytes') };
    await storePublishedFiles(db, 'global-eye', '005', files('<h1>One</h1>', [map]));
    const rows = async () =>
      (
        await db.query<{
          path: string;
          content_type: string;
          sha256: string;
          bytes: number;
          updated_at: Date;
        }>(
          `SELECT path, content_type, sha256, octet_length(content)::int AS bytes, updated_at
           FROM edition_files WHERE publication = 'global-eye' AND issue = '005' ORDER BY path`,
        )
      ).rows;
    const first = await rows();
    expect(first.map((r) => [r.path, r.content_type])).toEqual([
      ['global-eye-005.pdf', 'application/pdf'],
      ['images/map.png', 'image/png'],
      ['index.html', 'text/html; charset=utf-8'],
      [RECORD_FILE, 'application/json'],
    ]);
    expect(first[0]?.bytes).toBe(pdf.length);
    expect(first[0]?.sha256).toBe(sha(pdf));

    await storePublishedFiles(db, 'global-eye', '005', files('<h1>Two</h1>'));
    const second = await rows();
    expect(second.map((r) => r.path)).toEqual(['global-eye-005.pdf', 'index.html', RECORD_FILE]);
    expect(second.find((r) => r.path === 'index.html')?.sha256).toBe(sha('<h1>Two</h1>'));
    // An unchanged file keeps its time: caches and validators see no change.
    expect(second[0]?.updated_at).toEqual(first[0]?.updated_at);
  });

  it('keeps the anchors of the record stored before, whichever machine published it', async () => {
    const before = record();
    const renamed = 'a-new-title-for-the-first-article';
    const stored = await storePublishedFiles(
      db,
      'global-eye',
      '005',
      files('<h1>Two</h1>', [], record(renamed)),
    );
    expect(stored?.articles[0]?.slug).toBe(renamed);
    expect(stored?.articles[0]?.aliases).toContain(before.articles[0]?.slug);
    const { rows } = await db.query<{ content: Buffer }>(
      `SELECT content FROM edition_files WHERE publication = 'global-eye' AND issue = '005' AND path = $1`,
      [RECORD_FILE],
    );
    expect(JSON.parse(rows[0]?.content.toString() ?? '{}')).toEqual(stored);
  });

  it('refuses a path that could leave the issue folder', async () => {
    await expect(
      storePublishedFiles(db, 'global-eye', '006', [{ name: '../../etc/passwd', contents: 'x' }]),
    ).rejects.toThrow(/not a file name/);
  });
});

describe("a serve's editions folder as the database's cache", () => {
  it('is filled at start, on a miss, on NOTIFY, and after its LISTEN connection was cut', {
    timeout: 60_000,
  }, async () => {
    await storePublishedFiles(db, 'global-eye', '005', files('<h1>Three</h1>'));
    const root = folder();
    const cache = editionsCache(db, root);
    const page = join(root, 'global-eye', '005', 'index.html');
    const pdfFile = join(root, 'global-eye', '005', 'global-eye-005.pdf');

    expect(await cache.syncAll()).toEqual(['global-eye/005']);
    expect(readFileSync(page, 'utf8')).toBe('<h1>Three</h1>');
    expect(readFileSync(pdfFile).equals(pdf)).toBe(true);
    expect(existsSync(join(root, 'global-eye', '005', 'email.html'))).toBe(false);
    // Dated when stored, so every serve gives one Last-Modified and ETag for it.
    const stored = await db.query<{ updated_at: Date }>(
      `SELECT updated_at FROM edition_files WHERE publication = 'global-eye' AND issue = '005' AND path = 'index.html'`,
    );
    expect(statSync(page).mtime.getTime()).toBe(stored.rows[0]?.updated_at.getTime());
    expect(await cache.syncAll()).toEqual([]); // nothing changed, nothing written

    rmSync(pdfFile);
    expect(await cache.fillMiss('global-eye', '005', 'global-eye-005.pdf')).toBe(true);
    expect(readFileSync(pdfFile).equals(pdf)).toBe(true);
    expect(await cache.fillMiss('global-eye', '005', 'no-such.png')).toBe(false);
    expect(await cache.fillMiss('global-eye', '..', 'index.html')).toBe(false);

    const errors: unknown[] = [];
    const following = cache.follow((err) => errors.push(err));
    try {
      // The first connection catches up on its own; then each publish is a notification.
      const listening = async () =>
        (
          await db.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN ${EDITIONS_CHANNEL}' AND pid <> pg_backend_pid()`,
          )
        ).rows;
      await until('the listener', () => true);
      for (let i = 0; i < 100 && !(await listening()).length; i++)
        await new Promise((r) => setTimeout(r, 50));
      await storePublishedFiles(db, 'global-eye', '005', files('<h1>Four</h1>'));
      await until('the notified change', () => readFileSync(page, 'utf8') === '<h1>Four</h1>');

      // The connection is cut and a publish happens meanwhile: its notification is lost, and the
      // reconnection catches up.
      const [cut] = await listening();
      expect(cut).toBeDefined();
      await db.query('SELECT pg_terminate_backend($1)', [cut?.pid]);
      await storePublishedFiles(db, 'global-eye', '005', files('<h1>Five</h1>'));
      await until(
        'the change made while nobody listened',
        () => readFileSync(page, 'utf8') === '<h1>Five</h1>',
      );
      expect((await listening()).map((row) => row.pid)).not.toContain(cut?.pid);
      expect(errors).toEqual([]);
    } finally {
      await following.close();
    }
  });

  it("keeps a translation's files apart, under its language's folder, and refuses a key that is not an edition's", async () => {
    const root = folder();
    await storePublishedFiles(db, 'global-eye', 'fr/005', [
      { name: 'index.html', contents: '<h1>Cinq</h1>' },
      { name: 'global-eye-005.pdf', contents: pdf },
    ]);
    const cache = editionsCache(db, root);
    expect(await cache.fillMiss('global-eye', 'fr/005', 'global-eye-005.pdf')).toBe(true);
    expect(readFileSync(join(root, 'global-eye', 'fr', '005', 'index.html'), 'utf8')).toBe('<h1>Cinq</h1>');
    // The original's folder is not the translation's: nothing of one is taken for the other.
    expect(existsSync(join(root, 'global-eye', '005', 'index.html'))).toBe(false);
    expect(await cache.syncAll()).toContain('global-eye/005');
    expect(readFileSync(join(root, 'global-eye', 'fr', '005', 'index.html'), 'utf8')).toBe('<h1>Cinq</h1>');
    for (const key of ['fr/../005', 'french/005', 'fr/fr/005', '../005'])
      await expect(
        storePublishedFiles(db, 'global-eye', key, [{ name: 'index.html', contents: 'x' }]),
      ).rejects.toThrow(/not an edition/);
    expect(await cache.fillMiss('global-eye', 'fr/../005', 'index.html')).toBe(false);
    await db.query(`DELETE FROM edition_files WHERE issue = 'fr/005'`);
  });

  it('stores the issues a data dir published before the database held editions, and only those', async () => {
    const root = folder();
    writeEditionFiles(join(root, 'trafficking-in-migrants', '025'), [
      { name: 'email.html', contents: 'template', ms: 0 },
      { name: 'index.html', contents: '<h1>Old</h1>', ms: 0 },
      { name: 'images/a.png', contents: Buffer.from('png'), ms: 0 },
    ]);
    writeEditionFiles(join(root, 'global-eye', '005'), [
      { name: 'index.html', contents: '<h1>Stale</h1>', ms: 0 },
    ]);
    writeEditionFiles(join(root, 'trafficking-in-migrants', 'fr', '025'), [
      { name: 'index.html', contents: '<h1>Ancien</h1>', ms: 0 },
    ]);
    expect(await storeLocalOnlyIssues(db, root)).toEqual([
      'trafficking-in-migrants/025',
      'trafficking-in-migrants/fr/025',
    ]);
    const { rows } = await db.query<{ path: string }>(
      `SELECT issue || ':' || path AS path FROM edition_files WHERE publication = 'trafficking-in-migrants' ORDER BY 1`,
    );
    expect(rows.map((r) => r.path)).toEqual(['025:images/a.png', '025:index.html', 'fr/025:index.html']);
    const page = await db.query<{ content: Buffer }>(
      `SELECT content FROM edition_files WHERE publication = 'global-eye' AND path = 'index.html'`,
    );
    expect(page.rows[0]?.content.toString()).toBe('<h1>Five</h1>'); // the database's stands
  });
});
