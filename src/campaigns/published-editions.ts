// The published editions in the database (edition_files, migration 240), where every `serve` on
// every machine finds them. `publish` stores an issue's files in one transaction that also
// notifies (NOTIFY bulletin_editions, delivered at commit); each `serve` keeps its
// <dataDir>/editions as a cache of those rows, brought in line at start, on each notification,
// after a lost LISTEN connection, and when a request misses a file the database has.

import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { contentTypeOf } from '../content-types.ts';
import { InternalError } from '../problems.ts';
import type { EditionFile } from '../render/edition-files.ts';
import { type IssueRecord, keepAnchors, RECORD_FILE } from '../render/web/record.ts';
import type { Db, Listening, Queryable } from '../store/db.ts';

export const EDITIONS_CHANNEL = 'bulletin_editions';

/** Rendered with placeholders for the campaign (which keeps its own snapshot): never stored here. */
export const EMAIL_TEMPLATE_FILES: ReadonlySet<string> = new Set(['email.html', 'email.txt']);

/** Where a machine keeps published editions: <dataDir>/editions/<publication>/<NNN>/ (for `serve`, a
 *  cache of the database's, see below). */
export function editionsRoot(dataDir: string): string {
  return join(dataDir, 'editions');
}

/** Files of a published issue that must not be served: the email templates still hold placeholders. */
export const UNSERVED_FILES = new Set([...EMAIL_TEMPLATE_FILES, RECORD_FILE]);

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const ISSUE = /^\d{3,}$/;
const LANGUAGE = /^[a-z]{2,3}$/;
/** An edition's key inside its publication (the `issue` column): 005, or fr/005 for a translation. */
const EDITION = /^(?:[a-z]{2,3}\/)?\d{3,}$/;

/**
 * Where an edition is kept inside its publication, in the database and the editions folder: its
 * issue code, under its language's folder for a translation (as render/replacements.ts editionPath).
 */
export function editionKey(code: string, translation?: string): string {
  return translation ? `${translation}/${code}` : code;
}

/** "global-eye/fr/005" → ["global-eye", "fr/005"]: a notification's publication and edition. */
function splitEdition(path: string): [string, string] {
  const slash = path.indexOf('/');
  return slash < 0 ? [path, ''] : [path.slice(0, slash), path.slice(slash + 1)];
}
/** One segment of a stored path: no "..", no hidden files (the path becomes a file name here). */
const SEGMENT = /^[\w][\w.-]*$/;

const validPath = (path: string) => path.split('/').every((segment) => SEGMENT.test(segment));

function contentTypeFor(path: string): string {
  if (path === RECORD_FILE) return 'application/json';
  return contentTypeOf(extname(path)) ?? 'application/octet-stream';
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Stores an issue's editions (every file but the email templates) and notifies every `serve`, in
 * one transaction: the files of an earlier publish that are gone are dropped, and the site's
 * record keeps the anchors of the one stored before. Returns the record as stored. `code` is the
 * edition's key (`editionKey`): a translation's files are stored apart from the original's.
 */
export async function storePublishedFiles(
  db: Db,
  publication: string,
  code: string,
  files: readonly Pick<EditionFile, 'name' | 'contents'>[],
): Promise<IssueRecord | undefined> {
  return db.transaction((tx) => storePublishedFilesIn(tx, publication, code, files));
}

/** As `storePublishedFiles`, inside the caller's transaction (the notification leaves at its commit). */
export async function storePublishedFilesIn(
  tx: Queryable,
  publication: string,
  code: string,
  files: readonly Pick<EditionFile, 'name' | 'contents'>[],
): Promise<IssueRecord | undefined> {
  if (!SLUG.test(publication) || !EDITION.test(code))
    throw new InternalError(`not an edition the site can serve: ${publication}/${code}`);
  const stored = files.filter((file) => !EMAIL_TEMPLATE_FILES.has(file.name));
  for (const file of stored)
    if (!validPath(file.name)) throw new InternalError(`not a file name the site can serve: ${file.name}`);
  {
    let record: IssueRecord | undefined;
    const rows = [];
    for (const file of stored) {
      let bytes = Buffer.from(file.contents);
      if (file.name === RECORD_FILE) {
        const previous = await storedRecord(tx, publication, code);
        record = keepAnchors(previous, JSON.parse(bytes.toString('utf8')) as IssueRecord);
        bytes = Buffer.from(JSON.stringify(record));
      }
      rows.push({ path: file.name, bytes });
    }
    for (const { path, bytes } of rows)
      await tx.query(
        `INSERT INTO edition_files (publication, issue, path, content, content_type, sha256)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (publication, issue, path) DO UPDATE
           SET content = EXCLUDED.content, content_type = EXCLUDED.content_type,
               sha256 = EXCLUDED.sha256, updated_at = now()
           WHERE edition_files.sha256 <> EXCLUDED.sha256`,
        [publication, code, path, bytes, contentTypeFor(path), sha256(bytes)],
      );
    await tx.query(
      'DELETE FROM edition_files WHERE publication = $1 AND issue = $2 AND NOT (path = ANY($3))',
      [publication, code, rows.map((row) => row.path)],
    );
    await tx.query('SELECT pg_notify($1, $2)', [EDITIONS_CHANNEL, `${publication}/${code}`]);
    return record;
  }
}

async function storedRecord(
  db: Queryable,
  publication: string,
  code: string,
): Promise<IssueRecord | undefined> {
  const { rows } = await db.query<{ content: Buffer }>(
    'SELECT content FROM edition_files WHERE publication = $1 AND issue = $2 AND path = $3 FOR UPDATE',
    [publication, code, RECORD_FILE],
  );
  try {
    return rows[0] ? (JSON.parse(rows[0].content.toString('utf8')) as IssueRecord) : undefined;
  } catch {
    return undefined; // a damaged record: the new one stands alone
  }
}

/**
 * Issues in the local folder that the database has no file of (published before editions were
 * stored there) are stored from it, so the other machines see them too. Returns them.
 */
export async function storeLocalOnlyIssues(db: Db, root: string): Promise<string[]> {
  const { rows } = await db.query<{ issue: string }>(
    "SELECT DISTINCT publication || '/' || issue AS issue FROM edition_files",
  );
  const known = new Set(rows.map((row) => row.issue));
  const stored: string[] = [];
  for (const publication of listDir(root).filter((name) => SLUG.test(name)))
    for (const key of localEditions(join(root, publication))) {
      const folder = join(root, publication, ...key.split('/'));
      if (known.has(`${publication}/${key}`) || !existsSync(join(folder, 'index.html'))) continue;
      const files = filesUnder(folder).map((path) => ({
        name: relative(folder, path).split(sep).join('/'),
        contents: readFileSync(path),
      }));
      await storePublishedFiles(
        db,
        publication,
        key,
        files.filter((file) => validPath(file.name)),
      );
      stored.push(`${publication}/${key}`);
    }
  return stored;
}

/** The editions in a publication's folder: its issues (005), then its translations' (fr/005). */
function localEditions(folder: string): string[] {
  const names = listDir(folder);
  return [
    ...names.filter((name) => ISSUE.test(name)),
    ...names
      .filter((name) => LANGUAGE.test(name))
      .flatMap((language) =>
        listDir(join(folder, language))
          .filter((name) => ISSUE.test(name))
          .map((code) => editionKey(code, language)),
      ),
  ];
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function filesUnder(folder: string): string[] {
  return listDir(folder).flatMap((name) => {
    const path = join(folder, name);
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) return [];
    return info.isDirectory() ? filesUnder(path) : info.isFile() ? [path] : [];
  });
}

/** The cache's `code`s are editions' keys (`editionKey`): 005, fr/005. */
export interface EditionsCache {
  /** Every issue in line with the database. Returns the issues whose files changed. */
  syncAll(): Promise<string[]>;
  /** One issue in line with the database; false when the database has none of its files. */
  syncIssue(publication: string, code: string): Promise<boolean>;
  /** A request missed `path`: fetches the issue when the database has that file. */
  fillMiss(publication: string, code: string, path: string): Promise<boolean>;
  /** Follows `publish`'s notifications (and catches up after every reconnection). */
  follow(onError: (err: unknown) => void): Listening;
}

interface StoredPath {
  path: string;
  sha256: string;
}

/** <root> (a serve's <dataDir>/editions) as a cache of the database's editions. */
export function editionsCache(db: Db, root: string): EditionsCache {
  // A file's hash is computed again only when its size or time changed.
  const hashes = new Map<string, { mtimeMs: number; size: number; sha256: string }>();
  const localHash = (path: string): string | undefined => {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info?.isFile()) return undefined;
    const known = hashes.get(path);
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known.sha256;
    const hash = sha256(readFileSync(path));
    hashes.set(path, { mtimeMs: info.mtimeMs, size: info.size, sha256: hash });
    return hash;
  };

  // One sync at a time: a notification during the start's catching up waits its turn.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  /** Writes what differs, then removes what the database no longer has. True when anything changed. */
  const bringInLine = async (publication: string, code: string, stored: StoredPath[]): Promise<boolean> => {
    if (!SLUG.test(publication) || !EDITION.test(code)) return false;
    const folder = join(root, publication, ...code.split('/'));
    let changed = false;
    for (const { path, sha256: hash } of stored) {
      if (!validPath(path)) continue;
      const file = join(folder, ...path.split('/'));
      if (localHash(file) === hash) continue;
      const { rows } = await db.query<{ content: Buffer; updated_at: Date }>(
        'SELECT content, updated_at FROM edition_files WHERE publication = $1 AND issue = $2 AND path = $3',
        [publication, code, path],
      );
      const row = rows[0];
      if (!row) continue; // dropped by a publish meanwhile: its notification follows
      mkdirSync(dirname(file), { recursive: true });
      // Written aside, then renamed: a reader sees the old file or the new one, never half of one.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, row.content);
      // Dated when stored: every serve then gives the same Last-Modified (and ETag) for it.
      utimesSync(partial, row.updated_at, row.updated_at);
      renameSync(partial, file);
      changed = true;
    }
    const wanted = new Set(stored.map((entry) => entry.path));
    for (const file of filesUnder(folder)) {
      const path = relative(folder, file).split(sep).join('/');
      if (wanted.has(path) || EMAIL_TEMPLATE_FILES.has(path)) continue;
      rmSync(file, { force: true });
      hashes.delete(file);
      changed = true;
    }
    return changed;
  };

  const storedPaths = (publication: string, code: string) =>
    db
      .query<StoredPath>(
        'SELECT path, sha256 FROM edition_files WHERE publication = $1 AND issue = $2 ORDER BY path',
        [publication, code],
      )
      .then((result) => result.rows);

  const syncIssue = (publication: string, code: string) =>
    serially(async () => {
      const stored = await storedPaths(publication, code);
      if (!stored.length) return false;
      await bringInLine(publication, code, stored);
      return true;
    });

  const syncAll = () =>
    serially(async () => {
      const { rows } = await db.query<StoredPath & { publication: string; issue: string }>(
        'SELECT publication, issue, path, sha256 FROM edition_files ORDER BY publication, issue, path',
      );
      const issues = new Map<string, StoredPath[]>();
      for (const row of rows) {
        const key = `${row.publication}/${row.issue}`;
        const list = issues.get(key) ?? [];
        list.push({ path: row.path, sha256: row.sha256 });
        issues.set(key, list);
      }
      const changed: string[] = [];
      for (const [key, stored] of issues) {
        const [publication, code] = splitEdition(key);
        if (await bringInLine(publication, code, stored)) changed.push(key);
      }
      return changed;
    });

  return {
    syncAll,
    syncIssue,
    async fillMiss(publication, code, path) {
      if (!SLUG.test(publication) || !EDITION.test(code) || !validPath(path)) return false;
      const { rows } = await db.query(
        'SELECT 1 FROM edition_files WHERE publication = $1 AND issue = $2 AND path = $3',
        [publication, code, path],
      );
      return rows.length > 0 && (await syncIssue(publication, code));
    },
    follow(onError) {
      return db.listen(EDITIONS_CHANNEL, {
        onMessage: (payload) => {
          const [publication, code] = splitEdition(payload);
          syncIssue(publication, code).catch(onError);
        },
        // Whatever was published while nobody listened.
        onConnected: () => syncAll().then(() => {}, onError),
      });
    },
  };
}
