// An edition in another language: the sample issue with `language: 'fr'` (its text stays English, as
// a translation's would be French) says everything the templates say in French, dates the issue in
// French, hyphenates with French patterns and declares its language in every edition.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import type { Issue } from '../../src/issue/model.ts';
import { renderEmail } from '../../src/render/email/index.ts';
import { hyphenatorFor, SOFT_HYPHEN } from '../../src/render/pdf/hyphenate.ts';
import { renderPdf } from '../../src/render/pdf/index.ts';
import { renderText } from '../../src/render/text/index.ts';
import { renderWeb } from '../../src/render/web/index.ts';

const work = mkdtempSync(join(tmpdir(), 'bulletin-languages-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sampleIn(language: string, file = 'issues/global-eye/005.md'): Issue {
  const { issue } = loadIssue(file);
  if (!issue) throw new Error(`${file} does not load`);
  return { ...issue, language };
}

const french = sampleIn('fr');

describe('the sample issue as a French edition', () => {
  it('email (HTML): French words, French date, lang="fr"', async () => {
    const { html } = await renderEmail(french);
    expect(html).toMatch(/<html[^>]* lang="fr"/);
    for (const words of [
      'Lire ce numéro en ligne',
      'DANS CE NUMÉRO',
      'DANS LE PROCHAIN NUMÉRO',
      'mai 2009',
      'N° 5',
      'Par ',
      'est publié par International Organization for Migration',
      'Pour vous abonner, envoyez un courriel à',
      'Se désabonner',
      'Version web',
    ])
      expect(html).toContain(words);
    for (const english of [
      'In this issue',
      'IN THIS ISSUE',
      'ON THE NEXT ISSUE',
      'May 2009',
      'To subscribe',
      'Unsubscribe',
    ])
      expect(html).not.toContain(english);
  });

  it('text: French words and date', () => {
    const text = renderText(french);
    for (const words of [
      'N° 5 - mai 2009',
      'DANS CE NUMÉRO',
      'DANS LE PROCHAIN NUMÉRO',
      'Version web\u00a0:',
      'Pour vous désabonner\u00a0:',
      'Vos préférences (langue, format, adresse)\u00a0:',
      'Q.\u00a0: ',
    ])
      expect(text).toContain(words);
    expect(text).not.toMatch(/In this issue|IN THIS ISSUE|May 2009|\bBy |^Q: |Your preferences/m);
  });

  it('web: French words and date, lang="fr"', () => {
    const html = renderWeb(french);
    expect(html).toMatch(/<html lang="fr">/);
    for (const words of [
      'Aller au contenu',
      'Télécharger la version PDF',
      'Dans ce numéro',
      'Dans le prochain numéro',
      'mai 2009',
      'abonnez-vous en ligne',
      'Tous les numéros',
    ])
      expect(html).toContain(words);
    expect(html).not.toMatch(
      /In this issue|Skip to the content|Download the PDF|May 2009|aria-label="Note \d/,
    );
  });

  it('PDF: French words and date in the text, /Lang (fr)', async () => {
    const { pdf } = await renderPdf(french, { publicUrl: 'https://bulletin.example.org' });
    const file = join(work, 'fr.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    for (const words of [
      'Dans ce numéro',
      'N° 5 · mai 2009',
      'Page 1 sur ',
      'Dans le prochain numéro',
      'Pour vous abonner',
      'Ce numéro en ligne',
    ])
      expect(text).toContain(words);
    expect(text).not.toMatch(/In this issue|Page 1 of|May 2009|On the next issue/);
    const raw = execFileSync('qpdf', ['--qdf', '--object-streams=disable', file, '-'], {
      encoding: 'latin1',
      maxBuffer: 1 << 28,
    });
    expect(raw).toContain('/Lang (fr)');
  });
});

describe('a Spanish edition', () => {
  it('dates the issue and labels the contents in Spanish', () => {
    const text = renderText(sampleIn('es'));
    expect(text).toContain('N.º 5 - mayo de 2009');
    expect(text).toContain('EN ESTE NÚMERO');
  });
});

describe('hyphenation per language', () => {
  it('breaks words with the patterns of the edition’s language', () => {
    const breaks = (language: string, word: string) =>
      hyphenatorFor(language)(word).split(SOFT_HYPHEN).join('-');
    // French and English split the same word differently; Spanish has patterns of its own.
    expect(breaks('fr', 'organisation')).not.toBe(breaks('en-GB', 'organisation'));
    expect(breaks('fr', 'organisation')).toBe('or-ga-ni-sa-tion');
    expect(breaks('es', 'organización')).toBe('or-ga-ni-za-ción');
  });
});
