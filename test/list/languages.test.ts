// The list's automatic mail in the list's language: French and Spanish words in the subject, the
// text part and the HTML part; names and addresses escaped in HTML and left as they are in text.

import { describe, expect, it } from 'vitest';
import { AUTOMATIC_MAIL_LIMITS } from '../../src/list/replies.ts';
import { loadListTemplates } from '../../src/list/templates.ts';

const values = (language: string) => ({
  list: {
    name: 'The Global Eye',
    address: 'globaleye@example.org',
    language,
    colors: { primary: '#123456', accent: '#abcdef' },
  },
  requestAddress: 'globaleye-request@example.org',
  subscribeAddress: 'globaleye-subscribe@example.org',
  address: 'ann@example.org',
  name: 'Ann <b> & Co',
  subject: 'Notre « rapport »',
  confirmUrl: 'https://news.example.org/confirm/s1-x-y',
  unsubscribeUrl: 'https://news.example.org/unsubscribe/u1-x-y',
  latest: { webUrl: 'https://news.example.org/global-eye/005/', pdfUrl: 'https://news.example.org/x.pdf' },
  commands: [{ address: 'globaleye-request@example.org', what: 'Commands.' }],
  newAddress: 'ann.new@example.org',
  replyConfirms: true,
});

const templates = loadListTemplates();
const ENGLISH =
  /Someone, probably you|Welcome|Thank you|How to use|\bConfirm\b|will not receive|for the list commands|Contributions are welcome|has moved|will be sent to|did not ask|simply reply/;

describe.each([
  [
    'fr',
    'Confirmez votre abonnement à The Global Eye',
    'Quelqu’un, probablement vous',
    'Confirmer mon abonnement',
  ],
  [
    'es',
    'Confirme su suscripción a The Global Eye',
    'Alguien, probablemente usted',
    'Confirmar mi suscripción',
  ],
])('the list mail in %s', (language, subject, asked, button) => {
  it('asks for confirmation in the language, subject, text and HTML', async () => {
    const mail = await templates.render('confirm-subscribe', values(language));
    expect(mail.subject).toBe(subject);
    expect(mail.text).toContain(asked);
    expect(mail.text).toContain('https://news.example.org/confirm/s1-x-y');
    expect(mail.html).toContain(button);
    expect(mail.html).toMatch(new RegExp(`<html[^>]* lang="${language}"`));
  });

  it.each([...AUTOMATIC_MAIL_LIMITS.perKindPerDay.keys()])('%s has no English words left', async (kind) => {
    const mail = await templates.render(kind, values(language));
    expect(mail.subject).not.toMatch(ENGLISH);
    expect(mail.text).not.toMatch(ENGLISH);
    expect(mail.html.replace(/<style[\s\S]*?<\/style>/g, '')).not.toMatch(ENGLISH);
  });
});

describe('values in the list mail', () => {
  it('are escaped in HTML and left as written in text', async () => {
    const mail = await templates.render('confirm-change', values('fr'));
    expect(mail.text).toContain('par\u00a0: Ann <b> & Co');
    expect(mail.html).toContain('<strong>Ann &lt;b&gt; &amp; Co</strong>');
  });
  it('follow the message’s choice: an acknowledgement with or without a subject', async () => {
    const titled = await templates.render('acknowledgement', values('fr'));
    expect(titled.subject).toBe('Reçu\u00a0: Notre « rapport »');
    const untitled = await templates.render('acknowledgement', { ...values('es'), subject: undefined });
    expect(untitled.subject).toBe('Recibido: su mensaje a The Global Eye');
  });
});
