// The readers' pages in the list's language: the sign-up form of a French list is in French.

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListActions } from '../../src/subscribers/actions.ts';
import { listPages } from '../../src/web/list-pages.ts';
import { buildServer } from '../../src/web/server.ts';
import { type ListFixture, listFixture } from '../support/list-fixture.ts';

let f: ListFixture;
let app: FastifyInstance;
beforeAll(async () => {
  f = await listFixture();
  // The fixture's list, declared French: everything else about it stays real.
  const french: ListActions = Object.create(f.actions);
  french.list = (slug: string) => {
    const list = f.actions.list(slug);
    return list && { ...list, language: 'fr' };
  };
  app = await buildServer({ routes: [listPages(french)] });
});
afterAll(async () => {
  await app.close();
  await f.close();
});

describe('the sign-up page of a French list', () => {
  it('asks in French, with lang="fr"', async () => {
    const page = await app.inject({ method: 'GET', url: '/global-eye/subscribe' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).toContain('<title>S’abonner à The Global Eye on Human Trafficking</title>');
    expect(page.body).toContain('Adresse électronique <input');
    expect(page.body).toContain('<button type="submit">S’abonner</button>');
    expect(page.body).not.toMatch(/Email address|Subscribe to|Name \(optional\)/);
  });

  it('answers a sign-up in French', async () => {
    const done = await app.inject({
      method: 'POST',
      url: '/global-eye/subscribe',
      payload: 'email=not-an-address',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.statusCode).toBe(400);
    expect(done.body).toContain('Ce n’est pas une adresse électronique');
  });
});
