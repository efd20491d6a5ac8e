// The short notice in the edition's language: its words come from the catalogues; the recipient's
// `%%…%%` tokens stay for delivery to fill, in both parts.

import { describe, expect, it } from 'vitest';
import { renderNotice } from '../../src/render/notice.ts';

const notice = (language: string | null, attached = false) =>
  renderNotice({ listName: 'The Global Eye', subject: 'N° 5', language, attached });

describe('the short notice', () => {
  it('in English when the campaign names no language, the PDF said to be attached when it is', () => {
    const { text, html } = notice(null, true);
    expect(text).toContain('The new issue is out. Read it on the web:\n%%web_url%%');
    expect(text).toContain('The PDF edition is attached, and also at\n%%pdf_url%%');
    expect(html).toContain(
      'The new issue is out. <a href="%%web_url%%">Read it on the web</a> or <a href="%%pdf_url%%">download the PDF edition</a> (attached too).',
    );
  });

  it.each([
    ['fr', 'Le nouveau numéro est paru.', 'Vos préférences', 'Pour vous désabonner'],
    ['es', 'Ya está disponible el nuevo número.', 'Sus preferencias', 'Para cancelar la suscripción'],
  ])('in %s, with the tokens kept', (language, out, preferences, unsubscribe) => {
    const { text, html } = notice(language);
    for (const part of [text, html]) {
      expect(part).toContain(out);
      expect(part).toContain(preferences);
      for (const token of [
        '%%web_url%%',
        '%%pdf_url%%',
        '%%recipient_email%%',
        '%%preferences_url%%',
        '%%unsubscribe_url%%',
      ])
        expect(part).toContain(token);
      expect(part).not.toMatch(/The new issue|Read it on the web|Your preferences|as you chose|attached/);
    }
    expect(text).toContain(unsubscribe);
    expect(html).toContain(`<html lang="${language}">`);
  });
});
