// The site's pages in the publication's language: the archive and the search page of a French
// publication say their words in French (renderers only: no server, no database).

import { describe, expect, it } from 'vitest';
import { loadIssue } from '../../src/issue/load.ts';
import { issueRecord } from '../../src/render/web/record.ts';
import { sitePublication } from '../../src/site/index.ts';
import { renderArchive, renderHome, renderSearch, type SiteOptions } from '../../src/site/pages.ts';

const { issue } = loadIssue('issues/global-eye/005.md');
if (!issue) throw new Error('the sample does not load');
const french = { ...issue, language: 'fr' };
const publication = { ...sitePublication(issue.publication), language: 'fr', languages: ['fr'] };
const site: SiteOptions = {
  publicUrl: 'https://news.example.org',
  mode: 'served',
  publications: [publication],
};
const record = issueRecord(french, 123_456, new Date('2026-01-01T00:00:00Z'));

describe('the site of a French publication', () => {
  it('archive: French words, the issue dated in French', () => {
    const html = renderArchive(site, publication, [record]) ?? '';
    expect(html).toContain('<html lang="fr">');
    for (const words of [
      '1 numéro, du plus récent au plus ancien.',
      'N° 5 · <time datetime="2009-05-01">mai 2009</time>',
      'Lire en ligne',
      'Télécharger le PDF (121\u202fko)',
      'title="The Global Eye on Human Trafficking (flux Atom)"',
      'Dans ce numéro',
      'abonnez-vous en ligne',
      'Aller au contenu',
      'Tous les numéros',
    ])
      expect(html).toContain(words);
    expect(html).not.toMatch(
      /newest first|Read on the web|Download the PDF|Skip to the content|To subscribe|KB|\(Atom\)|JSON Feed/,
    );
  });

  it('home: the latest issue in French', () => {
    const html = renderHome(site, new Map([[publication.slug, [record]]]));
    expect(html).toContain('Dernier numéro\u00a0: <a href=');
    expect(html).toContain('>N° 5, Straddling the Border');
    expect(html).toContain('Nos publications');
  });

  it('search: counts and no-match message in French', () => {
    const none = renderSearch(site, { publication, query: 'mules', hits: [], capped: false });
    expect(none).toContain('Aucun article ne correspond à «\u00a0mules\u00a0»');
    expect(none).toContain('Rechercher dans The Global Eye');
    expect(none).not.toMatch(/No article matches|Search The Global Eye/);
  });
});
