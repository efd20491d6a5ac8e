// The catalogues: every shipped language says everything English says, with the same placeholders;
// a language without a catalogue reads English; the template helper escapes what it must.

import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { en } from '../../src/messages/en.ts';
import {
  CATALOGUE_LANGUAGES,
  catalogueOf,
  Html,
  messagesFor,
  placeholdersOf,
  registerMessageHelpers,
} from '../../src/messages/index.ts';

const english = Object.keys(en).sort();

describe('the message catalogues', () => {
  it('ship English, French and Spanish', () => {
    expect(CATALOGUE_LANGUAGES).toEqual(expect.arrayContaining(['en', 'fr', 'es']));
  });

  for (const language of CATALOGUE_LANGUAGES.filter((l) => l !== 'en')) {
    describe(language, () => {
      const catalogue = catalogueOf(language) as Record<string, string>;
      it('has every key of the English catalogue, and no other', () => {
        const keys = Object.keys(catalogue).sort();
        expect(
          english.filter((k) => !keys.includes(k)),
          'missing',
        ).toEqual([]);
        expect(
          keys.filter((k) => !english.includes(k)),
          'extra',
        ).toEqual([]);
      });
      it('keeps the placeholders of each English message', () => {
        for (const [key, message] of Object.entries(en))
          expect(placeholdersOf(catalogue[key] ?? ''), `${language} ${key}`).toEqual(placeholdersOf(message));
      });
      it('translates: no message is left identical to a long English one', () => {
        const same = Object.entries(en).filter(
          ([key, message]) => message.length > 15 && catalogue[key] === message,
        );
        expect(same).toEqual([]);
      });
    });
  }

  it('finds a placeholder that a translation dropped or renamed', () => {
    expect(placeholdersOf('Page {page} of {total}')).toEqual(['page', 'total']);
    expect(placeholdersOf('Page {page}')).not.toEqual(placeholdersOf('Page {page} of {total}'));
    expect(placeholdersOf('{count, plural, one {# item} other {# items}}')).toEqual(['count']);
  });
});

describe('messagesFor', () => {
  it('formats placeholders and plurals in the language asked for', () => {
    expect(messagesFor('fr').t('pdf.page', { page: 2, total: 14 })).toBe('Page 2 sur 14');
    expect(messagesFor('es-MX').t('pdf.page', { page: 2, total: 14 })).toBe('Página 2 de 14');
    expect(messagesFor('en-GB').t('edition.speakers', { count: 1 })).toBe('Speaker');
    expect(messagesFor('en-GB').t('edition.speakers', { count: 3 })).toBe('Speakers');
    expect(messagesFor('fr').t('edition.speakers', { count: 2 })).toBe('Intervenants');
  });

  it('falls back to English for a language without a catalogue, warning once', async () => {
    const warnings: string[] = [];
    const listen = (w: Error) => warnings.push(w.message);
    process.on('warning', listen);
    const de = messagesFor('de');
    expect(de.catalogue).toBe('en');
    expect(de.language).toBe('de');
    expect(de.t('edition.contents')).toBe('In this issue');
    messagesFor('de-AT').t('edition.contents');
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', listen);
    expect(warnings.filter((w) => w.includes('"de'))).toHaveLength(1);
  });

  it('gives the parts in the translation’s order, for the PDF to link the address', () => {
    const parts = messagesFor('fr').parts('pdf.subscribe', { address: 'list@example.org' });
    expect(parts[0]).toBe('Pour vous abonner, envoyez un courriel à ');
    expect(parts[1]).toEqual({ name: 'address', value: 'list@example.org' });
  });

  it('escapes the text and the values in HTML, keeping Html values as markup', () => {
    const html = messagesFor('en').html('email.subscribe', {
      address: new Html('<a href="mailto:x@example.org">x</a>'),
    });
    expect(html).toBe(
      'To subscribe please send an email to <a href="mailto:x@example.org">x</a>. Contributions are welcome at the same address.',
    );
    expect(messagesFor('en').html('edition.byline', { byline: '<script>' })).toBe('By &lt;script&gt;');
  });

  it('says which languages are written right to left', () => {
    expect(messagesFor('ar').direction).toBe('rtl');
    expect(messagesFor('fr').direction).toBe('ltr');
  });
});

describe('the {{t}} helper', () => {
  const hbs = Handlebars.create();
  registerMessageHelpers(hbs);
  it('reads the language of the root context and escapes plain values', () => {
    const template = hbs.compile(
      '{{t "edition.byline" byline=name}} · {{t "email.subscribe" address=(link href list)}}',
    );
    expect(template({ lang: 'es', name: 'A & B', href: 'mailto:l@example.org', list: 'l@example.org' })).toBe(
      'Por A &amp; B · Para suscribirse, envíe un correo electrónico a <a href="mailto:l@example.org">l@example.org</a>. Sus contribuciones son bienvenidas en la misma dirección.',
    );
  });
  it('takes markup made by the renderers through html', () => {
    const template = hbs.compile('{{t "edition.byline" byline=(html byline)}}');
    expect(template({ lang: 'fr', byline: '<em>Jan</em>' })).toBe('Par <em>Jan</em>');
  });
});
