import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import type { Issue } from '../../src/issue/model.ts';
import { renderEmail } from '../../src/render/email/index.ts';
import { GMAIL_CLIP_BYTES } from '../../src/render/email/size.ts';
import { editionUrls, fillPlaceholders, PLACEHOLDERS } from '../../src/render/replacements.ts';
import { authoredText, htmlToText, recall } from '../support/recall.ts';

const SAMPLES = ['issues/global-eye/005.md', 'issues/trafficking-in-migrants/025.md'];

function sample(file: string): Issue {
  const { issue } = loadIssue(file);
  if (!issue) throw new Error(`${file} does not load`);
  return issue;
}

const recipient = (issue: Issue) => ({
  recipient_email: 'reader@example.org',
  unsubscribe_url: 'https://news.example.org/unsubscribe/abc',
  preferences_url: 'https://news.example.org/preferences/abc',
  ...editionUrls('https://news.example.org', issue.publication.slug, issue.code),
});

describe.each(SAMPLES)('the email edition of %s', (file) => {
  const issue = sample(file);
  const rendered = renderEmail(issue);

  it('compiles with MJML at strict validation (renderEmail throws on any MJML error)', async () => {
    const { html } = await rendered;
    expect(html).toMatch(/^<!doctype html>/i);
  });

  it(`stays under Gmail's clipping size (${GMAIL_CLIP_BYTES} bytes)`, async () => {
    const { bytes, html } = await rendered;
    expect(bytes).toBe(Buffer.byteLength(html));
    expect(bytes).toBeLessThan(GMAIL_CLIP_BYTES);
  });

  it('sets lang, title and preheader', async () => {
    const { html } = await rendered;
    expect(html).toMatch(new RegExp(`<html[^>]* lang="${issue.publication.language}"`));
    expect(html).toMatch(new RegExp(`<title>${issue.publication.name}`));
    expect(html).toContain(`<div style="display:none;font-size:1px;`);
  });

  it('has only absolute links once placeholders are filled', async () => {
    const html = fillPlaceholders((await rendered).html, recipient(issue), 'html');
    const hrefs = [...html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1] as string);
    expect(hrefs.length).toBeGreaterThan(10);
    const relative = hrefs.filter((h) => !/^(https?:\/\/|mailto:)/.test(h) && !h.startsWith('#'));
    expect(relative).toEqual([]);
    expect(html).not.toContain('%%');
  });

  it('gives every image alt text', async () => {
    const images = [...(await rendered).html.matchAll(/<img\b[^>]*>/g)].map((m) => m[0]);
    for (const img of images) expect(img).toMatch(/ alt="[^"]+"/);
  });

  it('links the contents to an anchor for every section and article', async () => {
    const { html } = await rendered;
    for (const section of issue.sections) {
      expect(html).toContain(`href="#${section.slug}"`);
      expect(html).toContain(`id="${section.slug}"`);
      for (const article of section.articles) expect(html).toContain(`id="${article.slug}"`);
    }
  });

  it('contains every word of the issue file, in order', async () => {
    const result = recall(authoredText(readFileSync(file, 'utf8')), htmlToText((await rendered).html));
    expect(result.missing.slice(0, 10)).toEqual([]);
    expect(result.recall).toBeGreaterThanOrEqual(0.98);
    expect(result.order).toBeGreaterThanOrEqual(0.95);
  });

  it('carries the masthead, disclaimer, address, list address and per-recipient placeholders', async () => {
    const text = htmlToText((await rendered).html);
    const { publication } = issue;
    for (const expected of [
      publication.name,
      `No. ${issue.number}`,
      issue.title,
      publication.publisher.address[0] as string,
      publication.listAddress,
    ]) {
      expect(text).toContain(expected.replace(/&/g, '&'));
    }
    if (publication.disclaimer) expect(text).toContain(publication.disclaimer.slice(0, 30));
    for (const placeholder of Object.values(PLACEHOLDERS))
      expect((await rendered).html).toContain(placeholder);
  });
});

describe('the email edition of the Global Eye sample', () => {
  const issue = sample(SAMPLES[0] as string);

  it('labels each section, sets bylines, pull quotes, figures and entries', async () => {
    const { html } = await renderEmail(issue);
    expect(html).toContain('>FEATURE<');
    expect(html).toContain('>EVENTS AND PUBLICATIONS<');
    expect(html).toContain('By José Manuel Cepellín');
    expect(html).toMatch(/class="pullquote"/);
    expect(html).toMatch(/<img[^>]+src="%%web_url%%images\/olga-heaven\.png"/);
    // British English, as the publisher writes its dates: day before month.
    expect(html).toMatch(/<time datetime="2009-02-24">24\s–\s27 February 2009<\/time> · Strasbourg, France/);
    expect(html).toContain('ON THE NEXT ISSUE');
  });

  it('escapes text that looks like markup', async () => {
    const hostile = structuredClone(issue);
    hostile.title = 'Borders <script>alert(1)</script> & "quotes"';
    const first = hostile.sections[0]?.articles[0];
    first?.blocks.unshift({
      type: 'paragraph',
      content: [{ type: 'text', text: '<img src=x onerror=alert(1)>' }],
    });
    const { html } = await renderEmail(hostile);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
