// The list's commands, Mailman-style: the words that name one in mail to the list (the subject, or
// else the first non-empty line of the body, is exactly one word, with any "Re:" prefixes
// ignored), and the table of addresses the help mail shows. Which addresses act as a command is
// the address grammar's (addresses.ts).

import { listAddress, roleAddresses } from './addresses.ts';
import type { ListIdentity } from './list.ts';

export type Command = 'subscribe' | 'unsubscribe' | 'help';

// A Map: a subject of "constructor" must not find an inherited property.
const WORDS = new Map<string, Command>([
  ['subscribe', 'subscribe'],
  ['join', 'subscribe'],
  ['unsubscribe', 'unsubscribe'],
  ['leave', 'unsubscribe'],
  ['remove', 'unsubscribe'],
  ['help', 'help'],
]);

function word(line: string | undefined): Command | undefined {
  const cleaned = (line ?? '')
    .replace(/^\s*((re|aw|fwd?)\s*:\s*)+/i, '')
    .trim()
    .toLowerCase();
  return WORDS.get(cleaned);
}

/** The command in a message, or undefined (for the post address: a contribution). */
export function findCommand(subject: string | undefined, text: string | undefined): Command | undefined {
  const firstLine = (text ?? '').split(/\r?\n/).find((line) => line.trim() !== '');
  return word(subject) ?? word(firstLine);
}

/** The command table of a list, as the help mail and README show it. */
export function commandTable(list: ListIdentity): { address: string; what: string }[] {
  const [subscribe, ...join] = roleAddresses(list.address, 'subscribe');
  const [unsubscribe, ...leave] = roleAddresses(list.address, 'unsubscribe');
  return [
    {
      address: listAddress(list.address, { kind: 'post' }),
      what: 'Contributions for the editors. A subject of just "subscribe", "unsubscribe" or "help" is a command instead.',
    },
    {
      address: subscribe as string,
      what: `Subscribe; you will be asked to confirm. Also ${join.join(', ')}.`,
    },
    {
      address: unsubscribe as string,
      what: `Unsubscribe; you will be asked to confirm. Also ${leave.join(', ')}.`,
    },
    {
      address: listAddress(list.address, { kind: 'request' }),
      what: 'Commands in the subject or first line: subscribe, unsubscribe, help.',
    },
  ];
}
