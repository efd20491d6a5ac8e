// Readers choose how they receive an issue (issue 15), proved end to end: publish issue 005 to six
// readers who chose differently, workers deliver over real SMTP (smtp-server over TCP), and each
// copy is what its reader asked for: the full email, its text alone, the short notice, the PDF
// attached or linked. `status` counts the campaign's readers per language and format.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCampaign } from '../../src/cli/status.ts';
import { loadIssue } from '../../src/issue/load.ts';
import { createTokens } from '../../src/tokens.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import {
  deliverToReaders,
  PUBLIC_URL,
  type ReaderChoices,
  type RedisProcess,
  SECRET,
  startRedisProcess,
  subscriberIds,
} from './harness.ts';

let redis: RedisProcess;
let postgres: PostgresServer;
beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedisProcess(), startPostgres()]);
});
afterAll(async () => {
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** email → [language, format, pdf] */
const READERS: Record<string, ReaderChoices> = {
  'ann@example.org': [null, 'html', null],
  'bob@example.org': [null, 'text', null],
  'cat@example.org': ['fr', 'notice', null],
  'dan@example.org': [null, 'html', 'attach'],
  'eve@example.org': ['es', 'text', 'attach'],
  'fin@example.org': ['fr', 'html', 'link'],
};

describe('each reader receives the issue as they chose', () => {
  it('html, text, notice, PDF attached or linked, over real SMTP; status counts them', {
    timeout: 120_000,
  }, async () => {
    const loaded = loadIssue('issues/global-eye/005.md');
    if (!loaded.issue) throw new Error('issue 005 does not load');
    const { delivery, campaign, received, copies, close } = await deliverToReaders(
      { redisUrl: redis.url, databaseUrl: await postgres.createDatabase() },
      READERS,
      loaded.issue,
    );
    try {
      expect(received.map((m) => m.to).sort()).toEqual(Object.keys(READERS).sort());
      const ids = await subscriberIds(delivery.db, 'global-eye');
      const tokens = createTokens(Buffer.from(SECRET));
      const copy = (email: string) => copies.get(email) as NonNullable<ReturnType<typeof copies.get>>;
      const pdfs = (email: string) =>
        copy(email).parsed.attachments.filter((a) => a.contentType === 'application/pdf');
      const web = `${PUBLIC_URL}/global-eye/005/`;
      const pdfUrl = `${web}global-eye-005.pdf`;
      const preferencesToken = (text: string | undefined) =>
        new RegExp(`${PUBLIC_URL}/preferences/([0-9a-z-]+)`).exec(text ?? '')?.[1] as string;

      // The full email: HTML and text, the PDF linked (the publication does not attach it), and the
      // footer's link to the reader's own preference page.
      const ann = copy('ann@example.org');
      expect(ann.parsed.html).toContain('Human Trafficking');
      expect(ann.parsed.text).toContain(web);
      expect(pdfs('ann@example.org')).toEqual([]);
      const token = preferencesToken(ann.parsed.html as string);
      const subject = {
        id: ids.get('ann@example.org') as number,
        publication: 'global-eye',
        email: 'ann@example.org',
      };
      expect(tokens.verify(token, 'preferences', subject)).toBe(true);
      expect(preferencesToken(ann.parsed.text)).toBe(token);

      // Text only: one text/plain part, the same text as the full email's, no HTML anywhere.
      const bob = copy('bob@example.org');
      expect(bob.parsed.html).toBe(false);
      expect(bob.raw.toString('latin1')).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
      expect(bob.raw.toString('latin1')).not.toMatch(/text\/html/);
      expect(
        bob.parsed.text?.replaceAll('bob@example.org', 'X').replace(/\/(unsubscribe|preferences)\/\S+/g, ''),
      ).toBe(
        ann.parsed.text?.replaceAll('ann@example.org', 'X').replace(/\/(unsubscribe|preferences)\/\S+/g, ''),
      );
      expect(pdfs('bob@example.org')).toEqual([]);

      // The notice: the subject, links to both editions and the reader's own links; none of the articles.
      const cat = copy('cat@example.org');
      expect(cat.parsed.subject).toBe(ann.parsed.subject);
      expect(cat.parsed.text).toContain('The new issue is out.');
      expect(cat.parsed.text).toContain(web);
      expect(cat.parsed.text).toContain(pdfUrl);
      expect(cat.parsed.html).toContain(`href="${pdfUrl}"`);
      expect(cat.parsed.text).toContain('cat@example.org');
      expect(
        tokens.verify(preferencesToken(cat.parsed.text), 'preferences', {
          id: ids.get('cat@example.org') as number,
          publication: 'global-eye',
          email: 'cat@example.org',
        }),
      ).toBe(true);
      expect(cat.raw.length).toBeLessThan(ann.raw.length / 10);
      expect(pdfs('cat@example.org')).toEqual([]);

      // The PDF attached: the whole edition, besides the full email or the text.
      for (const email of ['dan@example.org', 'eve@example.org']) {
        const [pdf] = pdfs(email);
        expect(pdf?.filename).toBe('global-eye-005.pdf');
        expect(pdf?.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      }
      expect(copy('dan@example.org').parsed.html).toContain('Human Trafficking');
      expect(copy('eve@example.org').parsed.html).toBe(false);
      expect(copy('fin@example.org').parsed.html).toContain('Human Trafficking');
      expect(pdfs('fin@example.org')).toEqual([]);

      const status = await describeCampaign(delivery.db, campaign);
      expect(status).toContain('  languages   default 3 · fr 2 · es 1\n');
      expect(status).toContain('  formats     html 3 · text 2 · notice 1   chose the PDF attached 2\n');
    } finally {
      await close();
    }
  });
});
