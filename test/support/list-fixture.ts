// The handler and the web pages without SMTP or Redis: the embedded store of a temp data dir (its
// private PostgreSQL server), the real templates and the sample publications of issues/, and a
// mailer that keeps what it was asked to send. `close()` in afterAll. startListServers puts the
// list's pages and its SMTP server on loopback ports over one, as a reader's browser and mail
// client meet them.

import { pino } from 'pino';
import { type Clock, systemClock } from '../../src/clock.ts';
import { createInboundHandler } from '../../src/inbound/handler.ts';
import { createListSmtpServer } from '../../src/inbound/smtp.ts';
import type { List } from '../../src/list/list.ts';
import type { OutgoingMail } from '../../src/list/mail.ts';
import { loadListTemplates } from '../../src/list/templates.ts';
import type { Db } from '../../src/store/db.ts';
import { openStore } from '../../src/store/open.ts';
import { type ActionDeps, createListActions, type ListActions } from '../../src/subscribers/actions.ts';
import { loadLists } from '../../src/subscribers/lists.ts';
import type { Subscriber } from '../../src/subscribers/model.ts';
import { findSubscriber, requestSubscription } from '../../src/subscribers/store.ts';
import { createTokens } from '../../src/tokens.ts';
import { listPages } from '../../src/web/list-pages.ts';
import { tempDataDir } from './data-dir.ts';
import { type LiveServer, startHttp } from './http.ts';

export interface ListFixture extends ActionDeps {
  actions: ListActions;
  /** Everything queued so far, oldest first. */
  sent: OutgoingMail[];
  list(slug: string): List;
  /** A confirmed reader of The Global Eye, as an import with proof of consent leaves one. */
  confirmed(email: string, who?: { name?: string; language?: string }): Promise<Subscriber>;
  /** Closes the store (stopping its server) and removes the data dir. */
  close(): Promise<void>;
}

export async function listFixture(): Promise<ListFixture> {
  const data = tempDataDir();
  const db: Db = await openStore({ dataDir: data.dir });
  const { lists } = loadLists('issues');
  const sent: OutgoingMail[] = [];
  const deps = listActionDeps(db, lists, sent);
  const actions = createListActions(deps);
  const list = (slug: string) => lists.find((l) => l.slug === slug) as List;
  return {
    ...deps,
    actions,
    sent,
    list,
    async confirmed(email, { name, language } = {}) {
      const subscriber = await requestSubscription(db, {
        publication: 'global-eye',
        email,
        name,
        language,
        source: 'import',
        now: new Date(),
      });
      await actions.confirm(
        { list: list('global-eye'), subscriber, purpose: 'subscribe' },
        { method: 'cli', evidence: 'test' },
      );
      return (await findSubscriber(db, 'global-eye', email)) ?? subscriber;
    },
    async close() {
      await db.close();
      data.remove();
    },
  };
}

/**
 * What the list's actions need, over `db`: the real templates, a test token secret, and a mailer
 * that keeps what it was asked to send in `sent`.
 */
export function listActionDeps(
  db: Db,
  lists: ActionDeps['lists'],
  sent: OutgoingMail[],
  clock: Clock = systemClock,
): ActionDeps {
  return {
    db,
    lists,
    tokens: createTokens(Buffer.from('test-secret-test-secret-test-secret!')),
    mailer: {
      async enqueue(mail) {
        sent.push(mail);
      },
    },
    templates: loadListTemplates(),
    publicUrl: 'https://news.example.org',
    clock,
    log: pino({ level: 'silent' }),
  };
}

export interface ListServers {
  f: ListFixture;
  web: LiveServer;
  smtpPort: number;
  close(): Promise<void>;
}

/** A fresh listFixture (shown to `prepare` first), its pages over HTTP and its SMTP server. */
export async function startListServers(prepare?: (f: ListFixture) => void): Promise<ListServers> {
  const f = await listFixture();
  prepare?.(f);
  const web = await startHttp({ routes: [listPages(f.actions)] });
  const smtp = createListSmtpServer(createInboundHandler(f), { log: pino({ level: 'silent' }) });
  const smtpPort = await smtp.listen(0, '127.0.0.1');
  return {
    f,
    web,
    smtpPort,
    async close() {
      await smtp.close();
      await web.close();
      await f.close();
    },
  };
}

/** A message as the wire carries it (CRLF line ends); `headers` first, then a blank line, then `body`. */
export function message(headers: Record<string, string>, body = 'Hello.\r\n'): Buffer {
  const lines = Object.entries({
    'Message-ID': `<${Math.random().toString(36).slice(2)}@sender.example>`,
    ...headers,
  }).map(([k, v]) => `${k}: ${v}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
