// Search over what is published, in PostgreSQL's full-text search, on both ways bulletin reaches
// PostgreSQL: words in the publication's language (stemmed), phrases, one publication or all, a
// highlighted snippet in which nothing is unescaped, the index kept in step with publishing, and
// every search read through the GIN index.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editionsRoot } from '../../src/campaigns/published-editions.ts';
import type { IssueRecord } from '../../src/render/web/record.ts';
import { RECORD_FILE } from '../../src/render/web/record.ts';
import { syncSearchIndex } from '../../src/site/index.ts';
import {
  forgetUnpublished,
  indexIssue,
  markedSnippet,
  searchArticles,
  searchableText,
  searchConfiguration,
  searchStatement,
} from '../../src/site/search.ts';
import type { Db } from '../../src/store/db.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { storeBackends } from '../support/stores.ts';
import { load, publications, publish } from './fixture.ts';

const data = tempDataDir();
const sites = publications();
let globalEye: IssueRecord;

beforeAll(async () => {
  await publish(data.dir, load('issues/global-eye/005.md'));
  await publish(data.dir, load('issues/trafficking-in-migrants/025.md'));
  globalEye = JSON.parse(
    readFileSync(join(editionsRoot(data.dir), 'global-eye', '005', RECORD_FILE), 'utf8'),
  ) as IssueRecord;
}, 120_000);
afterAll(() => data.remove());

describe('the language of a publication', () => {
  it('chooses PostgreSQL’s configuration by the language’s primary subtag', () => {
    expect(searchConfiguration('en-GB')).toBe('english');
    expect(searchConfiguration('fr')).toBe('french');
    expect(searchConfiguration('pt-BR')).toBe('portuguese');
    expect(searchConfiguration('xx')).toBe('simple');
  });
});

describe('snippets', () => {
  it('escape everything and turn only the markers into <mark>', () => {
    expect(markedSnippet('a <img src=x onerror=alert(1)> & \u0001drug\u0002 "mule"')).toBe(
      'a &lt;img src=x onerror=alert(1)&gt; &amp; <mark>drug</mark> &quot;mule&quot;',
    );
    expect(markedSnippet('\u0002stray \u0001open')).toBe('stray <mark>open</mark>');
  });
});

describe.each(storeBackends())('search on $name', ({ open }) => {
  let db: Db;
  beforeAll(async () => {
    db = await open();
    expect(await syncSearchIndex(db, data.dir, sites)).toBe(2);
  }, 120_000);

  it('finds an article by words in another form (stemmed) and links it by its slug', async () => {
    const hits = await searchArticles(db, { text: 'recruiting drug mule', publications: sites });
    const first = hits[0];
    expect(first).toMatchObject({
      publication: 'global-eye',
      issueCode: '005',
      issueNumber: 5,
      slug: 'straddling-the-border-drug-mules-and-human-trafficking',
    });
    expect(first?.snippet).toMatch(/<mark>[Dd]rug<\/mark>/);
    expect(first?.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('takes quoted phrases and exclusions (websearch syntax), and one publication at a time', async () => {
    const phrase = await searchArticles(db, { text: '"boyfriend syndrome"', publications: sites });
    expect(phrase.map((h) => h.slug)).toEqual(['straddling-the-border-drug-mules-and-human-trafficking']);
    const excluded = await searchArticles(db, { text: 'boyfriend -syndrome', publications: sites });
    expect(excluded).toEqual([]);
    const everywhere = await searchArticles(db, { text: 'trafficking', publications: sites });
    expect(new Set(everywhere.map((h) => h.publication))).toEqual(
      new Set(['global-eye', 'trafficking-in-migrants']),
    );
    const migrantsOnly = sites.filter((s) => s.slug === 'trafficking-in-migrants');
    const one = await searchArticles(db, { text: 'trafficking', publications: migrantsOnly });
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((h) => h.publication === 'trafficking-in-migrants')).toBe(true);
  });

  it('reads typographic quotes and dashes as the words they surround', async () => {
    expect(searchableText('the ‘boyfriend syndrome.’ — “you’ve” café…')).toBe(
      "the 'boyfriend syndrome.'   \"you've\" café ",
    );
    const hits = await searchArticles(db, { text: '“boyfriend”', publications: sites });
    expect(hits[0]?.snippet).toContain('&#39;<mark>boyfriend</mark> syndrome.&#39;');
  });

  it('answers nothing, not an error, to stop words, symbols and hostile text', async () => {
    for (const text of ['the and of', '!!! ((', "'; DROP TABLE site_articles; --", '\u0000\u0001<script>'])
      expect(await searchArticles(db, { text, publications: sites })).toEqual([]);
    expect(await searchArticles(db, { text: '   ', publications: sites })).toEqual([]);
  });

  it('replaces an issue’s articles when it is published again, and forgets an issue taken down', async () => {
    expect(await indexIssue(db, globalEye)).toBe(false); // the same rendering: nothing to do
    const again: IssueRecord = {
      ...globalEye,
      renderedAt: new Date(Date.parse(globalEye.renderedAt) + 1000).toISOString(),
      articles: globalEye.articles.map((a, i) =>
        i === 0 ? { ...a, text: `${a.text} Zanzibarian cartography.` } : a,
      ),
    };
    expect(await indexIssue(db, again)).toBe(true);
    expect((await searchArticles(db, { text: 'zanzibarian', publications: sites })).length).toBe(1);
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM site_articles WHERE publication = 'global-eye'",
    );
    expect(rows[0]?.n).toBe(globalEye.articles.length);
    await forgetUnpublished(db, new Map([['global-eye', []]]));
    expect(await searchArticles(db, { text: 'drug mules', publications: sites })).toEqual([]);
    expect((await searchArticles(db, { text: 'trafficking', publications: sites })).length).toBeGreaterThan(
      0,
    );
    await indexIssue(db, globalEye);
  });

  it('indexes an issue once when two processes index it at the same moment', async () => {
    const again = {
      ...globalEye,
      renderedAt: new Date(Date.parse(globalEye.renderedAt) + 5000).toISOString(),
    };
    const results = await Promise.all([indexIssue(db, again), indexIssue(db, again), indexIssue(db, again)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM site_articles WHERE publication = 'global-eye'",
    );
    expect(rows[0]?.n).toBe(globalEye.articles.length);
  });

  it('reads through the GIN index, among 20,000 other articles with statistics', async () => {
    await db.query(
      `INSERT INTO site_articles (publication, issue_code, issue_number, issue_title, position, slug, section, title, body, language)
       SELECT 'global-eye', 'f' || lpad((i / 100)::text, 3, '0'), i / 100, 'Filler', i % 100, 'a' || i, 'Feature',
              'Filler article ' || i, 'Ordinary words about ports, harbours and shipping number ' || i, 'english'
       FROM generate_series(1, 20000) AS i`,
    );
    await db.query('ANALYZE site_articles');
    const statement = searchStatement({ text: 'drug mules', publications: sites });
    if (!statement) throw new Error('no statement');
    const { rows } = await db.query<{ 'QUERY PLAN': unknown }>(
      `EXPLAIN (FORMAT JSON) ${statement.sql}`,
      statement.params,
    );
    const plan = JSON.stringify(rows[0]?.['QUERY PLAN']);
    expect(plan).toContain('"Index Name":"site_articles_document"');
    expect(plan).not.toContain('"Node Type":"Seq Scan"');
    await db.query("DELETE FROM site_articles WHERE issue_code LIKE 'f%'");
  });
});
