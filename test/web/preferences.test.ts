// What readers choose (issue 15), over real HTTP and real SMTP into the list server: the language
// asked on the sign-up form or inferred from Accept-Language or the mail; `set …` commands that
// change nothing until the address's owner confirms; the preference page behind the footer's
// signed link (choices, change of address confirmed at the new address, leave, download, erase).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubscriber } from '../../src/subscribers/store.ts';
import { preferencesUrl, unsubscribeUrl } from '../../src/tokens.ts';
import type { LiveServer } from '../support/http.ts';
import { type ListFixture, message, startListServers } from '../support/list-fixture.ts';
import { smtpConnect } from '../support/smtp-client.ts';

let f: ListFixture;
let web: LiveServer;
let smtpPort: number;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ f, web, smtpPort, close } = await startListServers((fixture) => {
    // As publication.yml's `languages:` (the translations) declares them.
    fixture.list('global-eye').languages = ['en', 'fr', 'es'];
  }));
});
afterAll(() => close?.());

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${web.base}${path}`, {
    method: 'POST',
    headers: { ...form, origin: web.base, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
const reader = (email: string) => findSubscriber(f.db, 'global-eye', email);
const mailTo = (address: string) => f.sent.filter((m) => m.to.toLowerCase() === address.toLowerCase());
const changeTokenIn = (address: string) =>
  /\/change\/([0-9a-z-]+)/.exec(mailTo(address).at(-1)?.text ?? '')?.[1];

async function mail(from: string, to: string, headers: Record<string, string>) {
  const client = await smtpConnect(smtpPort);
  try {
    await client.command('EHLO client.example');
    const reply = await client.send({
      from,
      to: [to],
      data: message({ From: from, To: to, ...headers }).toString('latin1'),
    });
    expect(reply.code).toBe(250);
  } finally {
    await client.command('QUIT');
    client.close();
  }
}

const preferencesPath = async (email: string) =>
  new URL(
    preferencesUrl(
      'https://news.example.org',
      f.tokens,
      (await reader(email)) as { id: number; publication: string; email: string },
    ),
  ).pathname;

describe('the language at sign-up', () => {
  it('the form offers the publication languages, each named in itself, preselecting Accept-Language', async () => {
    const page = await (
      await fetch(`${web.base}/global-eye/subscribe`, { headers: { 'accept-language': 'es-MX, fr;q=0.8' } })
    ).text();
    expect(page).toContain('<option value="fr">français</option>');
    expect(page).toContain('<option value="es" selected>español</option>');
    // And asks in Spanish.
    expect(page).toContain('<html lang="es">');
    expect(page).toContain('<title>Suscribirse a The Global Eye on Human Trafficking</title>');
  });

  it('a language chosen on the form is kept; without one, Accept-Language decides; else the default', async () => {
    await post(
      '/global-eye/subscribe',
      { email: 'ana@example.org', language: 'fr' },
      { 'accept-language': 'es' },
    );
    await post(
      '/global-eye/subscribe',
      { email: 'bea@example.org' },
      { 'accept-language': 'fr-CA, es;q=0.5' },
    );
    await post('/global-eye/subscribe', { email: 'cid@example.org' }, { 'accept-language': 'de, ja' });
    await post('/global-eye/subscribe', { email: 'dan@example.org', language: 'xx' });
    expect((await reader('ana@example.org'))?.language).toBe('fr');
    expect((await reader('bea@example.org'))?.language).toBe('fr');
    expect((await reader('cid@example.org'))?.language).toBeNull();
    expect((await reader('dan@example.org'))?.language).toBeNull();
  });

  it('mail in French subscribes a French reader: the word itself, or the Content-Language', async () => {
    await mail('eve@example.org', 'globaleye-request@example.org', { Subject: "s'abonner" });
    await mail('fay@example.org', 'globaleye@example.org', {
      Subject: 'subscribe',
      'Content-Language': 'es-ES',
    });
    expect((await reader('eve@example.org'))?.language).toBe('fr');
    expect((await reader('fay@example.org'))?.language).toBe('es');
  });
});

describe('set commands by mail', () => {
  it('change nothing until the owner confirms from the mailed link; the sender is no proof', async () => {
    await f.confirmed('gus@example.org');
    await mail('gus@example.org', 'globaleye-request@example.org', { Subject: 'set format text' });
    expect((await reader('gus@example.org'))?.format).toBe('html');
    const confirmation = mailTo('gus@example.org').at(-1);
    expect(confirmation?.subject).toBe(
      'Confirm the change to your subscription to The Global Eye on Human Trafficking',
    );
    expect(confirmation?.text).toContain('to receive it as plain text only');
    expect(confirmation?.headers?.['Auto-Submitted']).toBe('auto-replied');
    const token = changeTokenIn('gus@example.org') as string;
    expect((await fetch(`${web.base}/change/${token}`)).status).toBe(200);
    expect((await reader('gus@example.org'))?.format).toBe('html');
    const done = await post(`/change/${token}`, {});
    expect(await done.text()).toContain('Your choices are saved.');
    expect((await reader('gus@example.org'))?.format).toBe('text');
    // Acts once.
    expect((await post(`/change/${token}`, {})).status).toBe(400);
  });

  it('a reply to the confirmation confirms it too', async () => {
    await f.confirmed('hal@example.org');
    await mail('hal@example.org', 'globaleye@example.org', { Subject: 'set language fr' });
    const confirmation = mailTo('hal@example.org').at(-1);
    expect(confirmation?.replyTo).toMatch(/^globaleye\+confirm-c[0-9a-z-]+@example\.org$/);
    await mail('hal@example.org', confirmation?.replyTo as string, { Subject: 'Re: confirm' });
    expect((await reader('hal@example.org'))?.language).toBe('fr');
  });

  it('a forged From asks the real owner, and a value the list does not offer gets the help mail', async () => {
    await f.confirmed('ida@example.org');
    await mail('mallory@example.org', 'globaleye-request@example.org', {
      From: 'ida@example.org',
      Subject: 'set pdf attach',
    });
    expect(mailTo('mallory@example.org')).toEqual([]);
    expect((await reader('ida@example.org'))?.pdf).toBeNull();
    expect(mailTo('ida@example.org').at(-1)?.text).toContain('to receive the PDF edition attached');
    await f.confirmed('jon@example.org');
    await mail('jon@example.org', 'globaleye-request@example.org', { Subject: 'set language de' });
    const help = mailTo('jon@example.org').at(-1);
    expect(help?.text).toContain(
      '"de" is not a choice of language here: choose one of en, fr, es or default.',
    );
    expect((await reader('jon@example.org'))?.language).toBeNull();
  });

  it('confirmations are capped as every automatic mail: one a day per address', async () => {
    await f.confirmed('kim@example.org');
    await mail('kim@example.org', 'globaleye-request@example.org', { Subject: 'set format notice' });
    await mail('kim@example.org', 'globaleye-request@example.org', { Subject: 'set format text' });
    await mail('kim@example.org', 'globaleye-request@example.org', { Subject: 'set pdf attach' });
    expect(mailTo('kim@example.org').filter((m) => m.subject.startsWith('Confirm the change'))).toHaveLength(
      1,
    );
  });
});

describe('the preference page', () => {
  it('shows the reader their choices; a GET changes nothing', async () => {
    await f.confirmed('lea@example.org');
    const path = await preferencesPath('lea@example.org');
    const page = await (await fetch(`${web.base}${path}`)).text();
    expect(page).toContain('lea@example.org · subscribed');
    expect(page).toContain('<input type="radio" name="format" value="html" checked>');
    expect(page).toContain('<input type="radio" name="pdf" value="default" checked>');
    expect(page).toContain(`<form method="post" action="${path}/erase">`);
  });

  it('saves language, format and PDF; refuses a post from another origin or without one', async () => {
    await f.confirmed('max@example.org');
    const path = await preferencesPath('max@example.org');
    const choices = { language: 'es', format: 'notice', pdf: 'attach' };
    expect((await post(path, choices, { origin: 'https://evil.example' })).status).toBe(403);
    const bare = await fetch(`${web.base}${path}`, { method: 'POST', headers: form, body: 'format=text' });
    expect(bare.status).toBe(403);
    expect((await reader('max@example.org'))?.format).toBe('html');
    const saved = await post(path, choices);
    expect(saved.status).toBe(200);
    // The page answers in the language just chosen.
    expect(await saved.text()).toContain('Sus preferencias se han guardado.');
    expect(await reader('max@example.org')).toMatchObject({
      language: 'es',
      format: 'notice',
      pdf: 'attach',
    });
    expect((await post(path, { language: 'de' })).status).toBe(400);
    expect((await post(path, { pdf: 'default' })).status).toBe(200);
    expect((await reader('max@example.org'))?.pdf).toBeNull();
  });

  it('a forged or expired link opens nothing', async () => {
    const path = await preferencesPath('max@example.org');
    const forged = path.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'));
    expect((await fetch(`${web.base}${forged}`)).status).toBe(400);
    expect((await post(forged, { format: 'text' })).status).toBe(400);
  });

  it('a new address takes effect only once confirmed there; the old one is told, its links die', async () => {
    await f.confirmed('ned@example.org');
    const path = await preferencesPath('ned@example.org');
    const asked = await post(`${path}/address`, { email: 'ned.new@example.org' });
    expect(await asked.text()).toContain('Please check the new inbox');
    expect(await reader('ned@example.org')).toBeDefined();
    const token = changeTokenIn('ned.new@example.org') as string;
    expect(mailTo('ned.new@example.org').at(-1)?.text).toContain(
      'to receive it at ned.new@example.org from now on',
    );
    await post(`/change/${token}`, {});
    expect(await reader('ned@example.org')).toBeUndefined();
    expect((await reader('ned.new@example.org'))?.status).toBe('confirmed');
    const told = mailTo('ned@example.org').at(-1);
    expect(told?.subject).toBe('Your subscription to The Global Eye on Human Trafficking has moved');
    expect(told?.text).toContain('ned.new@example.org');
    expect((await fetch(`${web.base}${path}`)).status).toBe(400);
  });

  it('refuses to move onto an address already on the list', async () => {
    await f.confirmed('oli@example.org');
    await f.confirmed('pam@example.org');
    const res = await post(`${await preferencesPath('oli@example.org')}/address`, {
      email: 'PAM@example.org',
    });
    expect(res.status).toBe(409);
    expect(mailTo('pam@example.org').some((m) => m.subject.startsWith('Confirm the change'))).toBe(false);
  });

  it('downloads everything held, as JSON or CSV', async () => {
    await f.confirmed('quy@example.org');
    const path = await preferencesPath('quy@example.org');
    await post(path, { format: 'text' });
    const json = await post(`${path}/data`, { as: 'json' });
    expect(json.headers.get('content-disposition')).toMatch(
      /^attachment; filename="global-eye-subscriber-\d+\.json"$/,
    );
    const record = await json.json();
    expect(record.subscriber).toMatchObject({
      email: 'quy@example.org',
      format: 'text',
      consentMethod: 'cli',
    });
    expect(record.automaticMail.map((m: { kind: string }) => m.kind)).toContain('welcome');
    // The welcome mail links the preference page too.
    const welcome = mailTo('quy@example.org').find((m) => m.subject.startsWith('Welcome'));
    const linked = /https:\/\/news\.example\.org\/preferences\/([0-9a-z-]+)/.exec(welcome?.text ?? '')?.[1];
    expect(
      f.tokens.verify(
        linked as string,
        'preferences',
        (await reader('quy@example.org')) as { id: number; publication: string; email: string },
      ),
    ).toBe(true);
    const csv = await (await post(`${path}/data`, { as: 'csv' })).text();
    expect(csv.split('\n')[0]).toBe('section,item,field,value');
    expect(csv).toContain('subscriber,1,email,quy@example.org');
    expect(csv).toContain('automaticMail,1,kind,welcome');
  });

  it('leave unsubscribes; erase removes the reader, only when ticked', async () => {
    await f.confirmed('ray@example.org');
    const path = await preferencesPath('ray@example.org');
    expect(await (await post(`${path}/leave`, {})).text()).toContain('You are unsubscribed');
    expect((await reader('ray@example.org'))?.status).toBe('unsubscribed');
    expect((await post(`${path}/erase`, {})).status).toBe(400);
    expect(await reader('ray@example.org')).toBeDefined();
    expect(await (await post(`${path}/erase`, { confirm: 'yes' })).text()).toContain('You are erased');
    expect(await reader('ray@example.org')).toBeUndefined();
    expect((await fetch(`${web.base}${path}`)).status).toBe(400);
  });
});

describe("everything in the reader's language", () => {
  /** What the readers' pages and the list's mail say in English, none of which a French page may say. */
  const ENGLISH =
    /Your subscription|The full email|Plain text only|As the publication sends it|Save my choices|Change of address|Everything we hold|Erase everything|>Unsubscribe<|Download \(|Language|\(Atom\)|JSON Feed\)/;
  const pathOf = (url: string) => new URL(url).pathname;

  it("a French reader's preference page is in French, and offers the publication's default", async () => {
    await f.confirmed('zoe@example.org', { language: 'fr' });
    const page = await (await fetch(`${web.base}${await preferencesPath('zoe@example.org')}`)).text();
    expect(page).toContain('<html lang="fr">');
    for (const words of [
      '<title>Votre abonnement à The Global Eye on Human Trafficking</title>',
      'zoe@example.org · abonné',
      'Langue <select name="language">',
      '<option value="default">Celle de la publication (anglais)</option>',
      '<option value="fr" selected>français</option>',
      'Le texte seul',
      'Comme la publication l’envoie',
      'L’édition PDF en pièce jointe',
      'Enregistrer mes choix',
      'Nouvelle adresse électronique',
      'Télécharger (CSV)',
      '<button type="submit">Se désabonner</button>',
      'Tout effacer',
      'title="The Global Eye on Human Trafficking (flux Atom)"',
    ])
      expect(page).toContain(words);
    expect(page).not.toMatch(ENGLISH);
  });

  it("a reader who chose nothing reads their browser's language; the publication's default stores NULL", async () => {
    await f.confirmed('yan@example.org');
    const path = await preferencesPath('yan@example.org');
    const page = await (await fetch(`${web.base}${path}`, { headers: { 'accept-language': 'es' } })).text();
    expect(page).toContain('<html lang="es">');
    expect(page).toContain('<option value="default" selected>El de la publicación (inglés)</option>');
    expect(page).toContain('Solo texto');
    await post(path, { language: 'fr' });
    expect((await reader('yan@example.org'))?.language).toBe('fr');
    const reset = await post(path, { language: 'default' });
    expect(reset.status).toBe(200);
    expect((await reader('yan@example.org'))?.language).toBeNull();
    // Back in the publication's language, as its next issue will be.
    expect(await reset.text()).toContain(
      '<option value="default" selected>The publication’s default (English)</option>',
    );
  });

  it('the unsubscribe page and the one-click answer (RFC 8058) are in French', async () => {
    const s = await f.confirmed('xia@example.org', { language: 'fr' });
    const path = pathOf(unsubscribeUrl('https://news.example.org', f.tokens, s));
    const page = await (await fetch(`${web.base}${path}`)).text();
    expect(page).toContain('<title>Se désabonner de The Global Eye on Human Trafficking</title>');
    expect(page).toContain('<button type="submit">Se désabonner</button>');
    const oneClick = await fetch(`${web.base}${path}`, {
      method: 'POST',
      headers: form,
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(oneClick.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await oneClick.text()).toBe('Vous êtes désabonné\n');
    expect((await reader('xia@example.org'))?.status).toBe('unsubscribed');
  });

  it("an expired, malformed or refused request answers in the browser's language", async () => {
    const expired = await fetch(`${web.base}/preferences/p1-x-y`, { headers: { 'accept-language': 'fr' } });
    expect(expired.status).toBe(400);
    const text = await expired.text();
    expect(text).toContain('<html lang="fr">');
    expect(text).toContain('Ce lien a expiré ou n’est pas valide');
    const malformed = await post(
      '/confirm/s1-x-y',
      { 'List-Unsubscribe': 'x'.repeat(200) },
      { 'accept-language': 'es-ES' },
    );
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('No se ha entendido la solicitud');
    const refused = await post(
      '/preferences/p1-x-y',
      {},
      { origin: 'https://evil.example', 'accept-language': 'fr' },
    );
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Refusé');
    // No header: English.
    expect(await (await fetch(`${web.base}/preferences/p1-x-y`)).text()).toContain('This link has expired');
  });

  it("help by mail: in the request's language, else the subscriber's, with no English description", async () => {
    const COMMANDS_IN_ENGLISH =
      /Contributions for the editors|you will be asked to confirm|Commands in the subject|How to use/;
    await mail('wes@example.org', 'globaleye-request@example.org', { Subject: 'aide' });
    const french = mailTo('wes@example.org').at(-1);
    expect(french?.subject).toBe('Comment utiliser The Global Eye on Human Trafficking');
    expect(french?.text).toContain('Contributions pour la rédaction.');
    expect(french?.text).toContain(
      'set language en|fr|es|default (default\u00a0: la langue de la publication)',
    );
    expect(`${french?.text}${french?.html}`).not.toMatch(COMMANDS_IN_ENGLISH);
    await f.confirmed('vic@example.org', { language: 'es' });
    await mail('vic@example.org', 'globaleye-request@example.org', { Subject: 'help' });
    const spanish = mailTo('vic@example.org').at(-1);
    expect(spanish?.subject).toBe('Cómo utilizar The Global Eye on Human Trafficking');
    expect(spanish?.text).toContain('Suscribirse; se le pedirá que lo confirme.');
    expect(`${spanish?.text}${spanish?.html}`).not.toMatch(COMMANDS_IN_ENGLISH);
    // Answered at another address (the envelope's), the subscriber's language is not given away.
    await mail('ula@example.org', 'globaleye-request@example.org', {
      From: 'vic@example.org',
      Subject: 'help',
    });
    expect(mailTo('ula@example.org').at(-1)?.subject).toBe('How to use The Global Eye on Human Trafficking');
  });

  it('a French "set" the list does not offer gets the help mail in French', async () => {
    await f.confirmed('tia@example.org', { language: 'fr' });
    await mail('tia@example.org', 'globaleye-request@example.org', { Subject: 'set format fax' });
    const help = mailTo('tia@example.org').at(-1);
    expect(help?.subject).toBe(
      '«\u00a0fax\u00a0» n’est pas un choix possible pour format ici\u00a0: choisissez parmi html, text ou notice.',
    );
  });

  it('set language default: confirmed in French, it stores NULL, so the reader gets the default language', async () => {
    await f.confirmed('uma@example.org', { language: 'fr' });
    await mail('uma@example.org', 'globaleye-request@example.org', { Subject: 'set language default' });
    expect((await reader('uma@example.org'))?.language).toBe('fr');
    const confirmation = mailTo('uma@example.org').at(-1);
    expect(confirmation?.subject).toBe(
      'Confirmez la modification de votre abonnement à The Global Eye on Human Trafficking',
    );
    expect(confirmation?.text).toContain('le recevoir dans la langue de la publication (anglais)');
    const token = changeTokenIn('uma@example.org') as string;
    const page = await (await fetch(`${web.base}/change/${token}`)).text();
    expect(page).toContain(
      'Appuyez sur le bouton pour confirmer la modification de l’abonnement de uma@example.org\u00a0: le recevoir dans la langue de la publication (anglais).',
    );
    expect((await post(`/change/${token}`, {})).status).toBe(200);
    expect((await reader('uma@example.org'))?.language).toBeNull();
  });

  it('set pdf default: back to as the publication sends it (NULL)', async () => {
    const s = await f.confirmed('val@example.org');
    await f.actions.setChoices(
      { list: f.list('global-eye'), subscriber: s, purpose: 'preferences' },
      { pdf: 'attach' },
    );
    await mail('val@example.org', 'globaleye-request@example.org', { Subject: 'set pdf default' });
    expect(mailTo('val@example.org').at(-1)?.text).toContain(
      'to receive the PDF edition as the publication sends it',
    );
    await post(`/change/${changeTokenIn('val@example.org')}`, {});
    expect((await reader('val@example.org'))?.pdf).toBeNull();
  });
});
