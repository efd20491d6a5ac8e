// One issue, two languages (issue 15), proved end to end: issue 005 and its complete French
// translation are published together to readers of both languages and of languages the issue has no
// translation into; workers deliver over real SMTP (smtp-server over TCP), and each reader receives
// one copy, in their language (the default's when there is no translation into it), in the format
// they chose, linking their language's web and PDF editions, which the database holds for every
// machine's serve.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCampaign } from '../../src/cli/status.ts';
import { loadTranslations } from '../../src/issue/translations.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import {
  deliverToReaders,
  PUBLIC_URL,
  type ReaderChoices,
  type RedisProcess,
  startRedisProcess,
} from './harness.ts';

let redis: RedisProcess;
let postgres: PostgresServer;
let work: string;
beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedisProcess(), startPostgres()]);
  work = mkdtempSync(join(tmpdir(), 'bulletin-languages-'));
});
afterAll(async () => {
  await Promise.all([redis?.stop(), postgres?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

/** email → [language chosen, format, pdf, the edition expected] */
const READERS: Record<string, readonly [...ReaderChoices, edition: 'en' | 'fr']> = {
  'ann@example.org': [null, 'html', null, 'en'],
  'bea@example.org': ['en', 'text', null, 'en'],
  'cat@example.org': ['fr', 'html', null, 'fr'],
  'dan@example.org': ['fr', 'text', null, 'fr'],
  'eve@example.org': ['fr', 'notice', null, 'fr'],
  'fay@example.org': ['fr', 'html', 'attach', 'fr'],
  // No Spanish or German translation of 005: the default language's edition.
  'gus@example.org': ['es', 'html', null, 'en'],
  'hal@example.org': ['de', 'text', 'attach', 'en'],
};

/** Words of each edition's feature title: in its copies, never in the other language's. */
const TITLE = { en: 'Straddling the Border', fr: 'À cheval sur la frontière' } as const;

describe('an issue published in two languages', () => {
  it('reaches each reader once, in their language or the default, in their format, over real SMTP', {
    timeout: 180_000,
  }, async () => {
    const { original, translations, problems } = loadTranslations('issues/global-eye/005.md');
    if (!original) throw new Error(`issue 005 does not load: ${problems.map((p) => p.code).join(', ')}`);
    const french = translations.get('fr');
    expect(french?.language).toBe('fr');
    const { delivery, campaign, received, copies, close } = await deliverToReaders(
      { redisUrl: redis.url, databaseUrl: await postgres.createDatabase() },
      READERS,
      original,
      [...translations.values()],
    );
    try {
      expect(received.map((m) => m.to).sort()).toEqual(Object.keys(READERS).sort());

      for (const [email, [, format, pdf, edition]] of Object.entries(READERS)) {
        const { parsed, raw } = copies.get(email) as NonNullable<ReturnType<typeof copies.get>>;
        const other = edition === 'fr' ? 'en' : 'fr';
        const web = `${PUBLIC_URL}/global-eye/${edition === 'fr' ? 'fr/' : ''}005/`;
        const body = `${parsed.text ?? ''}\n${parsed.html || ''}`;
        // Their language's subject and links; nothing of the other language's edition.
        expect(parsed.subject, email).toContain(TITLE[edition]);
        expect(parsed.text, email).toContain(web);
        expect(body, email).not.toContain(TITLE[other]);
        expect(body, email).not.toContain(`${PUBLIC_URL}/global-eye/${other === 'fr' ? 'fr/' : ''}005/`);
        // The format they chose.
        if (format === 'text') expect(parsed.html, email).toBe(false);
        else expect(parsed.html, email).toMatch(new RegExp(`<html[^>]* lang="${edition}`));
        if (format === 'html') expect(parsed.text, email).toContain(TITLE[edition]);
        if (format === 'notice') {
          expect(parsed.text, email).toContain(`${web}global-eye-005.pdf`);
          // In their language's words, from the catalogue.
          expect(parsed.text, email).toContain(
            edition === 'fr' ? 'Le nouveau numéro est paru.' : 'The new issue is out.',
          );
          expect(parsed.html, email).toContain(
            edition === 'fr' ? 'téléchargez l’édition PDF</a>' : 'download the PDF edition</a>',
          );
          expect(raw.length, email).toBeLessThan(20_000);
        }
        // Their language's PDF, attached when they asked for it.
        const attached = parsed.attachments.filter((a) => a.contentType === 'application/pdf');
        expect(attached.length, email).toBe(pdf === 'attach' ? 1 : 0);
        if (attached[0]) {
          const file = join(work, `${email}.pdf`);
          writeFileSync(file, attached[0].content);
          const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
          expect(text.replace(/\s+/g, ' '), email).toContain(
            edition === 'fr' ? 'Dans ce numéro' : 'In this issue',
          );
        }
      }

      // Both languages' editions are online for every machine's serve, before anything was sent.
      const { rows } = await delivery.db.query<{ issue: string; n: number }>(
        `SELECT issue, count(*)::int AS n FROM edition_files WHERE publication = 'global-eye'
         AND path IN ('index.html', 'global-eye-005.pdf', 'site.json') GROUP BY issue ORDER BY issue`,
      );
      expect(rows).toEqual([
        { issue: '005', n: 3 },
        { issue: 'fr/005', n: 3 },
      ]);

      const status = await describeCampaign(delivery.db, campaign);
      // What readers chose, and the edition each is sent.
      expect(status).toContain('  languages   fr 4 · de 1 · en 1 · es 1 · default 1\n');
      expect(status).toContain('  editions    en 4 · fr 4\n');
    } finally {
      await close();
    }
  });
});
