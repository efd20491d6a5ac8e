// The list's automatic replies against the real store and templates: what a reply looks like when
// it leaves, and the caps that bound how much mail a stranger can make the list send to anyone.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testClock } from '../../src/clock.ts';
import type { List } from '../../src/list/list.ts';
import {
  AUTOMATIC_MAIL_LIMITS,
  type AutomaticMail,
  type ReplyDeps,
  sendReply,
} from '../../src/list/replies.ts';
import { loadListTemplates } from '../../src/list/templates.ts';
import type { Db } from '../../src/store/db.ts';
import { openStore } from '../../src/store/open.ts';
import { markComplained, requestSubscription } from '../../src/subscribers/store.ts';
import { tempDataDir } from '../support/data-dir.ts';

const list: List = {
  slug: 'global-eye',
  name: 'The Global Eye',
  address: 'globaleye@example.org',
  language: 'en',
  colors: { primary: '#123456', accent: '#abcdef' },
};

const data = tempDataDir();
let db: Db;
const clock = testClock(new Date('2026-03-01T08:00:00Z'));
const sent: AutomaticMail[] = [];
const held: unknown[] = [];
let deps: ReplyDeps;

beforeAll(async () => {
  db = await openStore({ dataDir: data.dir });
  deps = {
    db,
    mailer: {
      async enqueue(mail) {
        sent.push(mail as AutomaticMail);
      },
    },
    templates: loadListTemplates(),
    clock,
    log: { info: (fields: unknown) => held.push(fields) },
  };
});
afterAll(async () => {
  await db?.close();
  data.remove();
});
beforeEach(() => {
  sent.length = 0;
  held.length = 0;
});

const help = (to: string, extra: Partial<Parameters<typeof sendReply>[1]> = {}) =>
  sendReply(deps, { list, to, template: 'help', values: { commands: [] }, ...extra });

describe('an automatic reply', () => {
  it('leaves from the list, from the null sender, marked automatic, threaded and rendered', async () => {
    expect(
      await sendReply(deps, {
        list,
        to: 'ann@example.org',
        template: 'acknowledgement',
        values: { subject: 'My article' },
        inReplyTo: '<m1@ann>',
        replyTo: 'globaleye+confirm-x@example.org',
      }),
    ).toBe(true);
    expect(sent).toHaveLength(1);
    const mail = sent[0] as AutomaticMail;
    expect(mail).toMatchObject({
      from: { name: 'The Global Eye', address: 'globaleye@example.org' },
      to: 'ann@example.org',
      replyTo: 'globaleye+confirm-x@example.org',
      subject: 'Received: My article',
      inReplyTo: '<m1@ann>',
      references: '<m1@ann>',
      returnPath: null,
    });
    expect(Object.entries(mail.headers)).toEqual([
      ['Auto-Submitted', 'auto-replied'],
      ['X-Loop', 'globaleye@example.org'],
      ['List-Id', '<globaleye.example.org>'],
    ]);
    expect(mail.text).toContain('Thank you for writing to The Global Eye.');
    expect(mail.html).toContain('#123456');
  });
});

describe('the caps', () => {
  it('one of each kind per address, list and day, in any spelling of the address; again the next day', async () => {
    expect(await help('Bo@example.org')).toBe(true);
    expect(await help('bo@example.org')).toBe(false);
    expect(await help('BO@EXAMPLE.ORG')).toBe(false);
    expect(sent).toHaveLength(1);
    expect(held).toEqual([
      expect.objectContaining({ to: 'bo@example.org', reason: 'daily limit of help mail per address' }),
      expect.objectContaining({ to: 'BO@EXAMPLE.ORG', reason: 'daily limit of help mail per address' }),
    ]);
    clock.advance(86_400_001);
    expect(await help('bo@example.org')).toBe(true);
  });

  it(`${AUTOMATIC_MAIL_LIMITS.perAddressPerDay} mails in all per address and day, whatever the kind`, async () => {
    const acknowledge = () =>
      sendReply(deps, { list, to: 'cy@example.org', template: 'acknowledgement', values: {} });
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await acknowledge());
    expect(results.filter(Boolean)).toHaveLength(AUTOMATIC_MAIL_LIMITS.perAddressPerDay);
    expect(await help('cy@example.org')).toBe(false);
    expect(held.at(-1)).toMatchObject({ reason: 'daily limit per address' });
  });

  it('one per address and incoming message, whatever the number of our addresses it named', async () => {
    const answered = new Set<string>();
    expect(await help('dee@example.org', { answered })).toBe(true);
    expect(
      await sendReply(deps, { list, to: 'DEE@example.org', template: 'goodbye', values: {}, answered }),
    ).toBe(false);
    expect(held).toEqual([expect.objectContaining({ reason: 'already answered this message' })]);
  });

  it('nothing to an address that complained, unless its owner asked on the web form', async () => {
    const s = await requestSubscription(db, {
      publication: list.slug,
      email: 'Eve@example.org',
      source: 'web',
      now: clock.date(),
    });
    await markComplained(db, s.id, clock.date());
    expect(await help('eve@example.org')).toBe(false);
    expect(held).toEqual([expect.objectContaining({ reason: 'the address complained' })]);
    expect(
      await sendReply(deps, {
        list,
        to: 'eve@example.org',
        template: 'confirm-subscribe',
        values: { address: 'eve@example.org', confirmUrl: 'https://news.example.org/confirm/x' },
        ownerAsked: true,
      }),
    ).toBe(true);
  });

  it('concurrent requests cannot both pass a cap', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => help('flo@example.org')));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });
});
