import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { loadPublication } from '../../src/issue/publication.ts';
import { loadTranslations, originalOf, translationFiles } from '../../src/issue/translations.ts';
import { formatProblem, type Problem } from '../../src/problems.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const GLOBAL_EYE = join(ROOT, 'issues/global-eye');
const PARTIAL = join(ROOT, 'test/fixtures/translations/partial');
const MISMATCHED = join(ROOT, 'test/fixtures/translations/mismatched');

const lines = (problems: readonly Problem[]) => problems.map((p) => formatProblem(p, ROOT));

/** A copy of the partial fixture in a temp folder, with `files` written over it. */
function partialCopy(files: Record<string, string>): string {
  const folder = join(mkdtempSync(join(tmpdir(), 'bulletin-translations-')), 'partial');
  cpSync(PARTIAL, folder, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

describe('a publication declares its languages', () => {
  it('global-eye: English by default, then French and Spanish, with section labels per language', () => {
    const { publication, problems } = loadPublication(GLOBAL_EYE);
    expect(problems).toEqual([]);
    expect(publication?.language).toBe('en-GB');
    expect(publication?.languages).toEqual(['en', 'fr', 'es']);
    expect(publication?.sections[0]?.labels?.get('fr')).toBe('Dossier');
    expect(publication?.sections[5]?.labels?.get('es')).toBe('Eventos y publicaciones');
  });

  it('without `languages`, only the default language (the primary tag of `language`)', () => {
    const { publication } = loadPublication(join(ROOT, 'test/issue/fixtures/bulletin'));
    expect(publication?.languages).toEqual(['en']);
  });

  it('refuses a default language that `languages` leaves out', () => {
    const folder = partialCopy({});
    const yml = readFileSync(join(folder, 'publication.yml'), 'utf8').replace(
      'languages: [en, es]',
      'languages: [fr, es]',
    );
    writeFileSync(join(folder, 'publication.yml'), yml);
    const { publication, problems } = loadPublication(folder);
    expect(publication).toBeUndefined();
    expect(problems.map((p) => [p.code, p.location?.line])).toEqual([['default-language', 9]]);
  });
});

describe('loading a translation', () => {
  it('005.fr.md is the French edition of issue 5, its sections labelled in French', () => {
    const { issue, problems } = loadIssue(join(GLOBAL_EYE, '005.fr.md'));
    expect(lines(problems)).toEqual([]);
    expect(issue?.language).toBe('fr');
    expect(issue?.code).toBe('005');
    expect(issue?.number).toBe(5);
    expect(issue?.sections.map((s) => [s.name, s.label])).toEqual([
      ['Feature', 'Dossier'],
      ['Perspectives', 'Points de vue'],
      ['Country Profile', 'Profil de pays'],
      ['Involvement', 'Engagement'],
      ['Initiatives', 'Initiatives'],
      ['Events and Publications', 'Événements et publications'],
    ]);
  });

  it('the original is in the default language, its sections labelled by their names', () => {
    const { issue } = loadIssue(join(GLOBAL_EYE, '005.md'));
    expect(issue?.language).toBe('en');
    expect(issue?.sections.map((s) => s.label)).toEqual(issue?.sections.map((s) => s.name));
  });

  it('takes the language from the file name when the front matter does not say it', () => {
    const text = readFileSync(join(PARTIAL, '001.es.md'), 'utf8').replace('language: es\n', '');
    const { issue, problems } = loadIssue(join(partialCopy({ '001.es.md': text }), '001.es.md'));
    expect(lines(problems)).toEqual([]);
    expect(issue?.language).toBe('es');
  });

  it('refuses a front matter language that contradicts the file name, at its line', () => {
    const text = readFileSync(join(PARTIAL, '001.es.md'), 'utf8').replace('language: es', 'language: en');
    const folder = partialCopy({ '001.es.md': text });
    const { issue, problems } = loadIssue(join(folder, '001.es.md'));
    expect(issue).toBeUndefined();
    expect(problems.map((p) => [p.code, p.location?.line])).toEqual([['language-mismatch', 3]]);
    expect(problems[0]?.message).toBe('language is "en" but the file 001.es.md is the "es" edition.');
  });

  it('refuses a language the publication does not declare, with a guess at the one meant', () => {
    const text = readFileSync(join(PARTIAL, '001.es.md'), 'utf8').replace('language: es', 'language: ex');
    const folder = partialCopy({ '001.ex.md': text });
    const { problems } = loadIssue(join(folder, '001.ex.md'));
    expect(problems.map((p) => [p.code, p.location?.line])).toEqual([['undeclared-language', 3]]);
    expect(problems[0]?.message).toBe('The publication has no language "ex". Did you mean "en"?');
    expect(problems[0]?.hint).toContain('Its languages are en, es');
  });

  it('knows a translation by its name and finds the translations beside an original', () => {
    expect(originalOf('/x/global-eye/005.fr.md')).toBe('/x/global-eye/005.md');
    expect(originalOf('/x/global-eye/005.md')).toBeUndefined();
    expect(translationFiles(join(GLOBAL_EYE, '005.md'))).toEqual([
      { language: 'fr', file: join(GLOBAL_EYE, '005.fr.md') },
    ]);
  });
});

describe('an issue with all its translations', () => {
  it('global-eye 005: the original and its complete French translation, without a problem', () => {
    const set = loadTranslations(join(GLOBAL_EYE, '005.md'));
    expect(lines(set.problems)).toEqual([]);
    expect(set.original?.language).toBe('en');
    expect([...set.translations.keys()]).toEqual(['fr']);
    // Named by the translation, the same set.
    expect([...loadTranslations(join(GLOBAL_EYE, '005.fr.md')).translations.keys()]).toEqual(['fr']);
  });

  it('a translation of a part: the missing article and section, each at its place in both files', () => {
    const set = loadTranslations(join(PARTIAL, '001.md'));
    expect(lines(set.problems)).toEqual([
      'test/fixtures/translations/partial/001.es.md:43:1 error translation-missing-article: Article 2 of section "Initiatives" in the original, "UN Inter-Agency Project on Human Trafficking (UNIAP)" (001.md:45:1), is missing from this translation. Translate it here, in the same place, with the same fields.',
      'test/fixtures/translations/partial/001.es.md:43:1 error translation-missing-section: Section "Events and Publications" of the original (001.md:52:1) is missing from this translation. Translate it here, under "# Events and Publications" (the section\'s keyword stays as in the original).',
    ]);
    // It does not correspond, so nothing would publish it.
    expect(set.translations.size).toBe(0);
  });

  it('an extra section and an extra article; articles in another order', () => {
    const set = loadTranslations(join(MISMATCHED, '001.md'));
    expect(set.problems.map((p) => [p.location?.file.split('/').pop(), p.location?.line, p.code])).toEqual([
      ['001.es.md', 34, 'translation-order'],
      ['001.fr.md', 25, 'translation-extra-section'],
      ['001.fr.md', 49, 'translation-extra-article'],
    ]);
    const [order, section, article] = set.problems;
    expect(order?.message).toBe(
      'Article 2 of section "Initiatives", "The Blue Blindfold Campaign", is article 1 in the original (001.md:30:1).',
    );
    expect(section?.message).toBe('Section "Perspectives" is not in the original (001.md:28:1).');
    expect(article?.message).toContain('"Un projet ajouté par la traduction", has no counterpart');
  });

  it('matches by structure, not by words: other fields at the same place are reported as such', () => {
    const text = readFileSync(join(PARTIAL, '001.es.md'), 'utf8').replace(
      /^Standfirst: .*\n/m,
      'Kicker: Entrevista\n',
    );
    const folder = partialCopy({ '001.es.md': text });
    const problems = loadTranslations(join(folder, '001.md')).problems;
    expect(problems.map((p) => p.code)).toContain('translation-fields');
    const fields = problems.find((p) => p.code === 'translation-fields');
    expect(fields?.message).toBe(
      'Article 1 of section "Feature" has the fields Kicker, More; the original\'s (001.md:13:1) has Standfirst, More.',
    );
    expect(fields?.location?.line).toBe(14);
  });

  it('a translation without its original says so', () => {
    const folder = partialCopy({});
    rmSync(join(folder, '001.md'));
    const set = loadTranslations(join(folder, '001.es.md'));
    expect(lines(set.problems).map((l) => l.replace(/^.*\/partial\//, ''))).toEqual([
      '001.es.md error translation-without-original: This translation has no original: 001.md does not exist. Put the original beside it, or correct the file name (NNN.md, its translations NNN.<language>.md).',
    ]);
  });
});
