// Search over every published issue with PostgreSQL's own full-text search. Each article is stored
// with a tsvector in its publication's language (migration 160); a query is parsed with
// websearch_to_tsquery ("quoted phrases", or, -not) in each configuration in use, and only
// `document @@ query` picks rows, so the GIN index bounds every search. Snippets come from
// ts_headline with control characters as markers, then the whole snippet is escaped and the
// markers become <mark>: nothing an issue or a query contains reaches the page unescaped.

import { escapeHtml } from '../render/html.ts';
import type { IssueRecord } from '../render/web/record.ts';
import type { Db } from '../store/db.ts';

/** PostgreSQL's text search configurations by language subtag; others fall back to 'simple'. */
const CONFIGURATIONS = new Map([
  ['ar', 'arabic'],
  ['ca', 'catalan'],
  ['da', 'danish'],
  ['de', 'german'],
  ['el', 'greek'],
  ['en', 'english'],
  ['es', 'spanish'],
  ['fi', 'finnish'],
  ['fr', 'french'],
  ['hu', 'hungarian'],
  ['id', 'indonesian'],
  ['it', 'italian'],
  ['lt', 'lithuanian'],
  ['nb', 'norwegian'],
  ['nl', 'dutch'],
  ['no', 'norwegian'],
  ['pt', 'portuguese'],
  ['ro', 'romanian'],
  ['ru', 'russian'],
  ['sv', 'swedish'],
  ['tr', 'turkish'],
]);

/** The text search configuration for a BCP 47 language tag: en-GB → english. */
export function searchConfiguration(language: string): string {
  return CONFIGURATIONS.get(language.toLowerCase().split('-')[0] ?? '') ?? 'simple';
}

const MARK_START = '\u0001';
const MARK_END = '\u0002';

/** Text without control characters (NUL, and our markers), which PostgreSQL or the snippets refuse. */
function withoutControls(text: string): string {
  let out = '';
  for (const c of text) out += c < ' ' && c !== '\n' && c !== '\t' ? ' ' : c;
  return out;
}

const QUOTES = new Map([
  ['\u2018', "'"],
  ['\u2019', "'"],
  ['\u201a', "'"],
  ['\u201b', "'"],
  ['\u2032', "'"],
  ['\u201c', '"'],
  ['\u201d', '"'],
  ['\u201e', '"'],
  ['\u201f', '"'],
  ['\u2033', '"'],
  ['\u00ab', '"'],
  ['\u00bb', '"'],
]);

/**
 * Text as the text search parser should see it. In a database with the C locale (bulletin's
 * private server) PostgreSQL takes every non-ASCII character for a letter, so "‘boyfriend" would
 * be one word: typographic quotes become ASCII ones, other non-ASCII punctuation, symbols and
 * spaces become spaces. Letters, digits and accents stay. Stored so, the snippets read the same.
 */
export function searchableText(text: string): string {
  return withoutControls(text).replace(/[^\p{L}\p{N}\p{M}\p{ASCII}]/gu, (c) => QUOTES.get(c) ?? ' ');
}

/**
 * Replaces the issue's rows with this rendering's articles; a no-op when they are already in.
 * `translation`: the language code of a translation's record (its rows are kept apart, in its
 * language's configuration); undefined for the publication's default language.
 */
export async function indexIssue(db: Db, record: IssueRecord, translation?: string): Promise<boolean> {
  const { slug } = record.publication;
  const edition = translation ?? '';
  return db.transaction(async (tx) => {
    // `serve` starting while `publish` indexes the same issue: one after the other, never both.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('site_articles'), hashtext($1 || '/' || $2))", [
      slug,
      `${edition}${record.code}`,
    ]);
    const current = await tx.query<{ revision: string }>(
      'SELECT revision FROM site_issues WHERE publication = $1 AND edition = $2 AND issue_code = $3',
      [slug, edition, record.code],
    );
    if (current.rows[0]?.revision === record.renderedAt) return false;
    await tx.query('DELETE FROM site_articles WHERE publication = $1 AND edition = $2 AND issue_code = $3', [
      slug,
      edition,
      record.code,
    ]);
    const language = searchConfiguration(translation ?? record.publication.language);
    const articles = record.articles;
    await tx.query(
      `INSERT INTO site_articles (publication, edition, issue_code, issue_number, issue_title, position, slug,
         section, title, body, language)
       SELECT $1, $11, $2, $3, $4, a.position, a.slug, a.section, a.title, a.body, $5::regconfig
       FROM unnest($6::int[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS a(position, slug, section, title, body)`,
      [
        slug,
        record.code,
        record.number,
        record.title,
        language,
        articles.map((_, i) => i),
        articles.map((a) => a.slug),
        articles.map((a) => a.section),
        articles.map((a) => searchableText(a.title)),
        articles.map((a) => searchableText(a.text)),
        edition,
      ],
    );
    await tx.query(
      `INSERT INTO site_issues (publication, edition, issue_code, revision) VALUES ($1, $2, $3, $4)
       ON CONFLICT (publication, edition, issue_code) DO UPDATE SET revision = EXCLUDED.revision`,
      [slug, edition, record.code, record.renderedAt],
    );
    return true;
  });
}

/**
 * Removes what is indexed for issues no longer published. `published`: the issue codes published
 * in each scope (site/links.ts scopeOf: global-eye, global-eye/fr) whose index is brought in line.
 */
export async function forgetUnpublished(
  db: Db,
  published: ReadonlyMap<string, readonly string[]>,
): Promise<void> {
  const indexed = await db.query<{ publication: string; edition: string; issue_code: string }>(
    'SELECT publication, edition, issue_code FROM site_issues',
  );
  for (const row of indexed.rows) {
    const codes = published.get(row.edition ? `${row.publication}/${row.edition}` : row.publication);
    // Only the publications named: another installation's may share the database.
    if (!codes || codes.includes(row.issue_code)) continue;
    await db.transaction(async (tx) => {
      for (const table of ['site_articles', 'site_issues'])
        await tx.query(`DELETE FROM ${table} WHERE publication = $1 AND edition = $2 AND issue_code = $3`, [
          row.publication,
          row.edition,
          row.issue_code,
        ]);
    });
  }
}

export interface SearchHit {
  publication: string;
  /** A translation's language code; '' for the publication's default language. */
  edition: string;
  issueCode: string;
  issueNumber: number;
  issueTitle: string;
  slug: string;
  section: string;
  title: string;
  /** Escaped HTML, the matching words in <mark>. */
  snippet: string;
}

export interface SearchQuery {
  text: string;
  /**
   * The editions searched: each publication's default language's (`edition` absent or '') or a
   * translation's (`edition`: its code), with the language its words are stemmed in.
   */
  publications: ReadonlyArray<{ slug: string; language: string; edition?: string }>;
  limit?: number;
}

export const MAX_QUERY_LENGTH = 200;

/** The statement of a search: one branch per configuration, each `document @@ constant query`. */
export function searchStatement(query: SearchQuery): { sql: string; params: unknown[] } | undefined {
  const text = searchableText(query.text).trim().slice(0, MAX_QUERY_LENGTH);
  if (!text || !query.publications.length) return undefined;
  const byConfiguration = new Map<string, Array<{ slug: string; edition: string }>>();
  for (const { slug, language, edition } of query.publications) {
    const configuration = searchConfiguration(language);
    byConfiguration.set(configuration, [
      ...(byConfiguration.get(configuration) ?? []),
      { slug, edition: edition ?? '' },
    ]);
  }
  const params: unknown[] = [text, query.limit ?? 50];
  const branches = [...byConfiguration].map(([configuration, editions]) => {
    params.push(
      configuration,
      editions.map((e) => e.slug),
      editions.map((e) => e.edition),
    );
    const c = `$${params.length - 2}::regconfig`;
    const s = `$${params.length - 1}::text[]`;
    const e = `$${params.length}::text[]`;
    return `SELECT publication, edition, issue_code, issue_number, issue_title, position, slug, section, title,
        ts_rank_cd(document, websearch_to_tsquery(${c}, $1)) AS rank,
        ts_headline(${c}, body, websearch_to_tsquery(${c}, $1),
          'StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "') AS snippet
      FROM site_articles
      WHERE document @@ websearch_to_tsquery(${c}, $1)
        AND (publication, edition) IN (SELECT * FROM unnest(${s}, ${e}))`;
  });
  return {
    sql: `${branches.join('\nUNION ALL\n')}\nORDER BY rank DESC, issue_number DESC, position\nLIMIT $2`,
    params,
  };
}

/** The best matches, best first (title words weigh more), at most `limit`. */
export async function searchArticles(db: Db, query: SearchQuery): Promise<SearchHit[]> {
  const statement = searchStatement(query);
  if (!statement) return [];
  const { rows } = await db.query<{
    publication: string;
    edition: string;
    issue_code: string;
    issue_number: number;
    issue_title: string;
    slug: string;
    section: string;
    title: string;
    snippet: string;
  }>(statement.sql, statement.params);
  return rows.map((row) => ({
    publication: row.publication,
    edition: row.edition,
    issueCode: row.issue_code,
    issueNumber: row.issue_number,
    issueTitle: row.issue_title,
    slug: row.slug,
    section: row.section,
    title: row.title,
    snippet: markedSnippet(row.snippet),
  }));
}

/** ts_headline's text escaped, its markers turned into <mark> (always balanced). */
export function markedSnippet(headline: string): string {
  let open = false;
  let out = '';
  let run = '';
  for (const c of headline) {
    if (c !== MARK_START && c !== MARK_END) {
      run += c;
      continue;
    }
    out += escapeHtml(run);
    run = '';
    if (c === MARK_START && !open) out += '<mark>';
    if (c === MARK_END && open) out += '</mark>';
    open = c === MARK_START ? true : c === MARK_END ? false : open;
  }
  out += escapeHtml(run);
  return open ? `${out}</mark>` : out;
}
