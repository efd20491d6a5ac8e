// The handler and the web pages without SMTP or Redis: an in-memory store, the real templates and
// the sample publications of issues/, and a mailer that keeps what it was asked to send.

import { pino } from 'pino';
import type { OutgoingMail } from '../../src/mail/message.ts';
import { loadListTemplates } from '../../src/mail/templates.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { type ActionDeps, createListActions, type ListActions } from '../../src/subscribers/actions.ts';
import { type List, loadLists } from '../../src/subscribers/lists.ts';
import { createTokens } from '../../src/tokens.ts';

export interface ListFixture extends ActionDeps {
  actions: ListActions;
  /** Everything queued so far, oldest first. */
  sent: OutgoingMail[];
  list(slug: string): List;
}

export async function listFixture(): Promise<ListFixture> {
  const db: Db = await openPglite();
  await migrate(db);
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
    now: () => new Date(),
    log: pino({ level: 'silent' }),
  };
  return {
    ...deps,
    actions: createListActions(deps),
    sent,
    list: (slug) => lists.find((l) => l.slug === slug) as List,
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
