// Automatic list mail: rendered from templates/list, marked as automatic (RFC 3834) and queued.

import type { ListMailer } from '../mail/queue.ts';
import type { ListTemplate, ListTemplates } from '../mail/templates.ts';
import type { List } from '../subscribers/lists.ts';
import { listAddress } from './addresses.ts';

/** The command table of a list, as help mail and README show it. */
export function commandTable(list: List): { address: string; what: string }[] {
  const [local, domain] = list.address.split('@');
  const at = (suffix: string) => `${local}${suffix}@${domain}`;
  return [
    {
      address: list.address,
      what: 'Contributions for the editors. A subject of just "subscribe", "unsubscribe" or "help" is a command instead.',
    },
    { address: at('-subscribe'), what: `Subscribe; you will be asked to confirm. Also ${at('-join')}.` },
    { address: at('-unsubscribe'), what: `Unsubscribe; you will be asked to confirm. Also ${at('-leave')}.` },
    { address: at('-request'), what: 'Commands in the subject or first line: subscribe, unsubscribe, help.' },
  ];
}

export interface Reply {
  list: List;
  to: string;
  template: ListTemplate;
  values: Record<string, unknown>;
  replyTo?: string;
  /** Message-ID of the mail we answer, so clients thread the reply. */
  inReplyTo?: string;
}

export async function sendReply(mailer: ListMailer, templates: ListTemplates, reply: Reply): Promise<void> {
  const { list } = reply;
  const rendered = await templates.render(reply.template, {
    list: {
      name: list.name,
      address: list.address,
      language: list.publication.language,
      colors: list.publication.colors,
    },
    requestAddress: listAddress(list.address, { kind: 'request' }),
    subscribeAddress: listAddress(list.address, { kind: 'subscribe' }),
    ...reply.values,
  });
  await mailer.enqueue({
    from: { name: list.name, address: list.address },
    to: reply.to,
    replyTo: reply.replyTo,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    inReplyTo: reply.inReplyTo,
    references: reply.inReplyTo,
    headers: {
      'Auto-Submitted': 'auto-replied',
      'X-Loop': list.address,
      'List-Id': `<${list.address.replace('@', '.')}>`,
    },
    // The null sender: nothing answers an automatic reply, so no loop can start here.
    returnPath: null,
  });
}
