// The handler and the web pages without SMTP or Redis: the embedded store of a temp data dir (its
// private PostgreSQL server), the real templates and the sample publications of issues/, and a
// mailer that keeps what it was asked to send. `close()` in afterAll.

import { pino } from 'pino';
import { systemClock } from '../../src/clock.ts';
import type { List } from '../../src/list/list.ts';
import type { OutgoingMail } from '../../src/list/mail.ts';
import { loadListTemplates } from '../../src/list/templates.ts';
import type { Db } from '../../src/store/db.ts';
import { openStore } from '../../src/store/open.ts';
import { type ActionDeps, createListActions, type ListActions } from '../../src/subscribers/actions.ts';
import { loadLists } from '../../src/subscribers/lists.ts';
import { createTokens } from '../../src/tokens.ts';
import { tempDataDir } from './data-dir.ts';

export interface ListFixture extends ActionDeps {
  actions: ListActions;
  /** Everything queued so far, oldest first. */
  sent: OutgoingMail[];
  list(slug: string): List;
  /** Closes the store (stopping its server) and removes the data dir. */
  close(): Promise<void>;
}

export async function listFixture(): Promise<ListFixture> {
  const data = tempDataDir();
  const db: Db = await openStore({ dataDir: data.dir });
  const { lists } = loadLists('issues');
  const sent: OutgoingMail[] = [];
  const deps: ActionDeps = {
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
    clock: systemClock,
    log: pino({ level: 'silent' }),
  };
  return {
    ...deps,
    actions: createListActions(deps),
    sent,
    list: (slug) => lists.find((l) => l.slug === slug) as List,
    async close() {
      await db.close();
      data.remove();
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
