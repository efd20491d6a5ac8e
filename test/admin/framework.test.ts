// The admin's frame over real HTTP, PostgreSQL and Redis: signing in with a session cookie, guessing
// throttled, CSRF on every POST, roles, signing out, accounts removed, the queue dashboard behind
// the same session.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeAccount } from '../../src/admin/accounts.ts';
import { html } from '../../src/admin/html.ts';
import {
  type AdminSection,
  adminRoutes,
  csrfField,
  flash,
  requireRole,
  sendPage,
} from '../../src/admin/index.ts';
import { adminClient, csrfOf, signIn } from '../support/admin.ts';
import { startHttp } from '../support/http.ts';
import { type AdminFixture, EDITOR, ENVIRONMENT, PUBLISHER, SECRET, startAdmin } from './fixture.ts';

const MAX_FAILURES = 5;

/** A section as another part would write one: a page, a form, a publisher-only action. */
const notes: string[] = [];
const section: AdminSection = {
  label: 'Notes',
  path: '/admin/notes',
  routes(app) {
    app.get('/admin/notes', async (request, reply) =>
      sendPage(request, reply, {
        title: 'Notes',
        body: html`<ul>${notes.map((n) => html`<li>${n}</li>`)}</ul>
<form method="post" action="/admin/notes">${csrfField(reply)}<label for="n">Note</label><input id="n" name="note"><button>Add</button></form>`,
      }),
    );
    app.post('/admin/notes', async (request, reply) => {
      notes.push((request.body as { note: string }).note);
      flash(request, 'Note added.');
      return reply.redirect('/admin/notes', 303);
    });
    app.post('/admin/notes/clear', { preHandler: requireRole('publisher') }, async (_request, reply) => {
      notes.length = 0;
      return reply.redirect('/admin/notes', 303);
    });
  },
};

let admin: AdminFixture;

beforeAll(async () => {
  // Behind a trusted proxy, so the test can speak for several clients (X-Forwarded-For).
  admin = await startAdmin({
    sections: () => [section],
    trustProxy: true,
    loginLimits: { maxFailures: MAX_FAILURES, windowMs: 60_000, lockMs: 60_000 },
  });
}, 60_000);

afterAll(async () => {
  await admin?.stop();
});

const from = (client: string) => ({ 'x-forwarded-for': client });

describe('signing in', () => {
  it('sends a visitor without a session to the form, and back where they were going after it', async () => {
    const visitor = adminClient(admin.base, from('198.51.100.1'));
    const page = await visitor.get('/admin/notes');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/admin/login?next=%2Fadmin%2Fnotes');
    const form = await visitor.get(page.location as string);
    expect(form.status).toBe(200);
    expect(form.body).toContain('<label for="password">Password</label>');
    const signed = await visitor.post(
      '/admin/login',
      { name: EDITOR.name.toUpperCase(), password: EDITOR.password, next: '/admin/notes' },
      form.body,
    );
    expect([signed.status, signed.location]).toEqual([303, '/admin/notes']);
    const notesPage = await visitor.get('/admin/notes');
    expect(notesPage.status).toBe(200);
    expect(notesPage.body).toContain('eda (editor)');
    expect(notesPage.body).toContain('<a href="/admin/notes" aria-current="page">Notes</a>');
    expect(notesPage.body).toContain('<a href="/admin/queues">Queues</a>');
  });

  it('sets a session cookie that scripts cannot read and other sites do not send', async () => {
    const visitor = adminClient(admin.base, from('198.51.100.2'));
    const form = await visitor.get('/admin/login');
    const response = await fetch(`${admin.base}/admin/login`, {
      method: 'POST',
      headers: {
        ...from('198.51.100.2'),
        cookie: visitor.cookie,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        name: PUBLISHER.name,
        password: PUBLISHER.password,
        _csrf: csrfOf(form.body),
      }),
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('bulletin_admin='));
    expect(cookie).toMatch(/; Path=\/admin/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    // The form's session lasts an hour, a signed-in one a working day.
    const expires = (line: string | undefined) =>
      (Date.parse(/Expires=([^;]+)/.exec(line ?? '')?.[1] ?? '') - Date.now()) / 3600_000;
    expect(expires(cookie)).toBeGreaterThan(11.9);
    expect(expires(cookie)).toBeLessThan(12.1);
    const formCookie = (await fetch(`${admin.base}/admin/login`)).headers
      .getSetCookie()
      .find((c) => c.startsWith('bulletin_admin='));
    expect(expires(formCookie)).toBeGreaterThan(0.9);
    expect(expires(formCookie)).toBeLessThan(1.1);
    // The session id changed at sign-in: the one from before it opens nothing.
    expect(cookie?.split(';')[0]).not.toBe(visitor.cookie);
    const before = adminClient(admin.base, from('198.51.100.2'));
    before.cookie = visitor.cookie;
    expect((await before.get('/admin/notes')).status).toBe(303);
  });

  it('keeps the environment account (BULLETIN_ADMIN_USER) working, as a publisher', async () => {
    const env = await signIn(admin.base, ENVIRONMENT.name, ENVIRONMENT.password, from('198.51.100.3'));
    expect((await env.get('/admin/notes')).body).toContain('admin (publisher)');
  });

  it('refuses a wrong password with the form again (401), and never goes to another site after it', async () => {
    const visitor = adminClient(admin.base, from('198.51.100.4'));
    const form = await visitor.get('/admin/login');
    const wrong = await visitor.post(
      '/admin/login',
      { name: EDITOR.name, password: 'not it at all' },
      form.body,
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('Wrong name or password.');
    for (const next of ['//evil.example/', 'https://evil.example/admin', '/admin/../x', '/\\evil.example']) {
      const page = await visitor.get('/admin/login');
      const signed = await visitor.post(
        '/admin/login',
        { name: EDITOR.name, password: EDITOR.password, next },
        page.body,
      );
      expect([next, signed.status, signed.location]).toEqual([next, 303, '/admin']);
      visitor.cookie = '';
    }
  });

  it('locks a guessing client out after a few wrong passwords (429), even from the right one, and no one else', async () => {
    const attacker = from('203.0.113.66');
    const guesser = adminClient(admin.base, attacker);
    const statuses: number[] = [];
    for (let guess = 0; guess < 12; guess++) {
      const form = await guesser.get('/admin/login');
      statuses.push(
        (await guesser.post('/admin/login', { name: EDITOR.name, password: `guess-${guess}` }, form.body))
          .status,
      );
    }
    expect(statuses.slice(0, MAX_FAILURES)).toEqual(Array(MAX_FAILURES).fill(401));
    expect(statuses.slice(MAX_FAILURES)).toEqual(Array(12 - MAX_FAILURES).fill(429));
    const form = await guesser.get('/admin/login');
    const right = await guesser.post(
      '/admin/login',
      { name: EDITOR.name, password: EDITOR.password },
      form.body,
    );
    expect(right.status).toBe(429);
    // The locked client cannot pass for another by writing its own X-Forwarded-For entry first.
    const spoofer = adminClient(admin.base, { 'x-forwarded-for': '198.51.100.99, 203.0.113.66' });
    const spoofForm = await spoofer.get('/admin/login');
    expect(
      (await spoofer.post('/admin/login', { name: EDITOR.name, password: EDITOR.password }, spoofForm.body))
        .status,
    ).toBe(429);
    await expect(
      signIn(admin.base, EDITOR.name, EDITOR.password, from('198.51.100.5')),
    ).resolves.toBeDefined();
  });
});

describe('forms', () => {
  it('are refused (403) without the CSRF token, with a wrong one, or with another session’s', async () => {
    const editor = await signIn(admin.base, EDITOR.name, EDITOR.password, from('198.51.100.6'));
    const other = await signIn(admin.base, PUBLISHER.name, PUBLISHER.password, from('198.51.100.7'));
    const page = await editor.get('/admin/notes');
    const otherPage = await other.get('/admin/notes');
    expect((await editor.post('/admin/notes', { note: 'no token' })).status).toBe(403);
    expect((await editor.post('/admin/notes', { note: 'wrong', _csrf: 'x'.repeat(40) })).status).toBe(403);
    expect((await editor.post('/admin/notes', { note: 'foreign' }, otherPage.body)).status).toBe(403);
    // Signing in needs the token too (login CSRF).
    expect((await adminClient(admin.base).post('/admin/login', { name: 'pub', password: 'x' })).status).toBe(
      403,
    );
    expect(notes).toEqual([]);
    const added = await editor.post('/admin/notes', { note: '<b>kept</b>' }, page.body);
    expect([added.status, added.location]).toEqual([303, '/admin/notes']);
    const after = await editor.get('/admin/notes');
    expect(after.body).toContain('<li>&lt;b&gt;kept&lt;/b&gt;</li>');
    expect(after.body).toContain('Note added.');
    expect((await editor.get('/admin/notes')).body).not.toContain('Note added.');
  });

  it('that need a publisher answer an editor 403, and do nothing', async () => {
    const editor = await signIn(admin.base, EDITOR.name, EDITOR.password, from('198.51.100.8'));
    const page = await editor.get('/admin/notes');
    const refused = await editor.post('/admin/notes/clear', {}, page.body);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Only a publisher can do this.');
    expect(notes.length).toBeGreaterThan(0);
  });
});

describe('sessions', () => {
  it('end when signing out', async () => {
    const editor = await signIn(admin.base, EDITOR.name, EDITOR.password, from('198.51.100.9'));
    const cookie = editor.cookie;
    const page = await editor.get('/admin/notes');
    const out = await editor.post('/admin/logout', {}, page.body);
    expect([out.status, out.location]).toEqual([303, '/admin/login']);
    const stale = adminClient(admin.base, from('198.51.100.9'));
    stale.cookie = cookie;
    expect((await stale.get('/admin/notes')).status).toBe(303);
  });

  it('end at once when the account is removed, and no row holds a session id', async () => {
    const { addAccount } = await import('../../src/admin/accounts.ts');
    await addAccount(admin.db, { name: 'leaving', role: 'editor', password: 'for a short while' });
    const leaving = await signIn(admin.base, 'leaving', 'for a short while', from('198.51.100.10'));
    expect((await leaving.get('/admin/notes')).status).toBe(200);
    const sessionId = decodeURIComponent(leaving.cookie.split('=')[1] ?? '').split('.')[0] as string;
    const { rows } = await admin.db.query<{ id_digest: string }>('SELECT id_digest FROM admin_sessions');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.id_digest === sessionId)).toBe(false);
    await removeAccount(admin.db, 'leaving');
    expect((await leaving.get('/admin/notes')).status).toBe(303);
  });
});

describe('the queue dashboard', () => {
  it('is behind the same sign-in', async () => {
    expect((await adminClient(admin.base).get('/admin/queues')).status).toBe(303);
    expect((await adminClient(admin.base).get('/admin/queues/api/queues')).status).toBe(401);
    const editor = await signIn(admin.base, EDITOR.name, EDITOR.password, from('198.51.100.11'));
    expect((await editor.get('/admin/queues')).status).toBe(200);
    const api = await editor.get('/admin/queues/api/queues');
    expect(api.status).toBe(200);
    expect((JSON.parse(api.body) as { queues: { name: string }[] }).queues.map((q) => q.name).sort()).toEqual(
      ['delivery', 'list-mail', 'schedule'],
    );
  });

  it('changes queues only for a publisher, from its own origin', async () => {
    const put = (cookie: string, origin: string) =>
      fetch(`${admin.base}/admin/queues/api/queues/list-mail/pause`, {
        method: 'PUT',
        headers: { cookie, origin },
      }).then((r) => r.status);
    const editor = await signIn(admin.base, EDITOR.name, EDITOR.password, from('198.51.100.12'));
    const publisher = await signIn(admin.base, PUBLISHER.name, PUBLISHER.password, from('198.51.100.12'));
    expect(await put(editor.cookie, admin.base)).toBe(403);
    expect(await put(publisher.cookie, 'https://evil.example')).toBe(403);
    expect(await put(publisher.cookie, admin.base)).toBe(200);
    const resume = await fetch(`${admin.base}/admin/queues/api/queues/list-mail/resume`, {
      method: 'PUT',
      headers: { cookie: publisher.cookie, origin: admin.base },
    });
    expect(resume.status).toBe(200);
  });
});

describe('behind an HTTPS PUBLIC_URL', () => {
  it('marks the cookie Secure, and says what to set when the proxy is not trusted', async () => {
    const routes = adminRoutes({
      db: admin.db,
      installationSecret: SECRET,
      publicUrl: 'https://news.example.org',
      connection: admin.connection,
      sections: [section],
    });
    const proxied = await startHttp({ routes: [routes], logger: false, trustProxy: true });
    const direct = await startHttp({ routes: [routes], logger: false });
    try {
      const tls = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.20' };
      const visitor = adminClient(proxied.base, tls);
      const form = await visitor.get('/admin/login');
      const response = await fetch(`${proxied.base}/admin/login`, {
        method: 'POST',
        headers: { ...tls, cookie: visitor.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: EDITOR.name, password: EDITOR.password, _csrf: csrfOf(form.body) }),
        redirect: 'manual',
      });
      expect(response.status).toBe(303);
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith('bulletin_admin='));
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=Strict/);

      // Plain HTTP with an https PUBLIC_URL: no cookie could stick, so the form says why at once.
      const plain = adminClient(direct.base);
      const login = await plain.get('/admin/login');
      expect(login.body).toContain('behind a TLS proxy, set TRUST_PROXY=true');
      expect(plain.cookie).toBe('');
      const overTls = await adminClient(proxied.base, tls).get('/admin/login');
      expect([overTls.status, overTls.body.includes('TRUST_PROXY')]).toEqual([200, false]);
    } finally {
      await proxied.close();
      await direct.close();
    }
  });
});
