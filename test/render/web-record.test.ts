// The site's record of a published issue (src/render/web/record.ts): each article's text for
// search, and anchors that outlive a change of title.

import { describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { htmlText, type IssueRecord, issueRecord, keepAnchors } from '../../src/render/web/record.ts';

const { issue } = loadIssue('issues/global-eye/005.md');
if (!issue) throw new Error('sample does not load');
const record = issueRecord(issue, 1234, new Date('2026-01-02T03:04:05Z'));

/** The record with article `index` renamed (its slug changed) and, optionally, articles removed. */
function republished(from: IssueRecord, changes: Record<number, string>, drop: number[] = []): IssueRecord {
  return {
    ...from,
    articles: from.articles
      .map((a, i) => (changes[i] ? { ...a, slug: changes[i] as string, aliases: [] } : { ...a, aliases: [] }))
      .filter((_, i) => !drop.includes(i)),
  };
}

describe('the record of an issue', () => {
  it('holds every article with its section, title and plain text, and the PDF’s name and size', () => {
    expect(record.articles.map((a) => a.slug)).toEqual(
      issue.sections.flatMap((s) => s.articles.map((a) => a.slug)),
    );
    const feature = record.articles[0];
    expect(feature).toMatchObject({
      section: 'Feature',
      title: 'Straddling the Border: Drug Mules and Human Trafficking',
    });
    expect(feature?.text).toContain('the ‘boyfriend syndrome.’');
    expect(feature?.text).not.toMatch(/[<>]|&\w+;/);
    expect(record).toMatchObject({
      code: '005',
      date: '2009-05-01',
      pdf: { name: 'global-eye-005.pdf', bytes: 1234 },
    });
    expect(record.renderedAt).toBe('2026-01-02T03:04:05.000Z');
  });

  it('reads text out of our HTML, entities decoded', () => {
    expect(htmlText('<p>A &amp; B &lt;c&gt; &#39;d&#39; &quot;e&quot; &#8211; &#x2014;</p><p>f</p>')).toBe(
      'A & B <c> \'d\' "e" – — f',
    );
  });
});

describe('anchors on re-publishing', () => {
  it('keeps an article’s old slug as an alias when its title changes, through several publishings', () => {
    const old = record.articles[1]?.slug as string;
    const once = keepAnchors(record, republished(record, { 1: 'renamed-once' }));
    expect(once.articles[1]).toMatchObject({ slug: 'renamed-once', aliases: [old] });
    const twice = keepAnchors(once, republished(once, { 1: 'renamed-twice' }));
    expect(twice.articles[1]).toMatchObject({ slug: 'renamed-twice', aliases: ['renamed-once', old] });
    // Unchanged articles keep their slug and gain nothing.
    expect(twice.articles[0]?.aliases).toEqual([]);
  });

  it('never gives an alias that is another article’s slug, and drops the anchors of a removed article', () => {
    const [first, second] = record.articles;
    // The second article takes the first's old slug; the first is removed.
    const next = keepAnchors(record, republished(record, { 1: first?.slug as string }, [0]));
    const all = next.articles.flatMap((a) => [a.slug, ...a.aliases]);
    expect(new Set(all).size).toBe(all.length);
    expect(next.articles[0]).toMatchObject({ slug: first?.slug, aliases: [second?.slug] });
  });

  it('starts afresh from a record of another version', () => {
    const next = republished(record, { 1: 'x' });
    expect(keepAnchors({ ...record, version: 0 }, next)).toBe(next);
  });
});
