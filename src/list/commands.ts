// The list's commands, Mailman-style: the words that name one in mail to the list (the subject, or
// else the first non-empty line of the body, is exactly one word, with any "Re:" prefixes
// ignored), and the table of addresses the help mail shows. Which addresses act as a command is
// the address grammar's (addresses.ts).

import { messagesFor } from '../messages/index.ts';
import { listAddress, roleAddresses } from './addresses.ts';
import { DEFAULT_CHOICE, type List, type ListIdentity, listLanguages } from './list.ts';

export type Command = 'subscribe' | 'unsubscribe' | 'help' | 'set';

/** What `set <choice> <value>` names: the value as written, checked by whoever applies it. */
export interface Setting {
  choice: 'language' | 'format' | 'pdf';
  value: string;
}

/** A command found in a message; `setting` for `set`, `language` when the word itself says one. */
export interface FoundCommand {
  command: Command;
  setting?: Setting;
  language?: string;
}

// A Map: a subject of "constructor" must not find an inherited property. The words readers of a
// French or Spanish edition would write also say which language they read.
const WORDS = new Map<string, FoundCommand>([
  ['subscribe', { command: 'subscribe' }],
  ['join', { command: 'subscribe' }],
  ['abonnement', { command: 'subscribe', language: 'fr' }],
  ["s'abonner", { command: 'subscribe', language: 'fr' }],
  ['abonner', { command: 'subscribe', language: 'fr' }],
  ['suscribir', { command: 'subscribe', language: 'es' }],
  ['suscribirse', { command: 'subscribe', language: 'es' }],
  ['suscripción', { command: 'subscribe', language: 'es' }],
  ['unsubscribe', { command: 'unsubscribe' }],
  ['leave', { command: 'unsubscribe' }],
  ['remove', { command: 'unsubscribe' }],
  ['help', { command: 'help' }],
  ['aide', { command: 'help', language: 'fr' }],
  ['ayuda', { command: 'help', language: 'es' }],
]);

const SET = /^set\s+(language|format|pdf)\s+(\S{1,20})$/;

function word(line: string | undefined): FoundCommand | undefined {
  const cleaned = (line ?? '')
    .replace(/^\s*((re|aw|fwd?)\s*:\s*)+/i, '')
    .trim()
    .toLowerCase();
  const set = SET.exec(cleaned.replace(/\s+/g, ' '));
  if (set)
    return { command: 'set', setting: { choice: set[1] as Setting['choice'], value: set[2] as string } };
  return WORDS.get(cleaned);
}

/** The command in a message, or undefined (for the post address: a contribution). */
export function findCommand(subject: string | undefined, text: string | undefined): FoundCommand | undefined {
  const firstLine = (text ?? '').split(/\r?\n/).find((line) => line.trim() !== '');
  return word(subject) ?? word(firstLine);
}

/**
 * The command table of a list, as the help mail and README show it, in `language` (the reader's;
 * absent: the list's).
 */
export function commandTable(
  list: ListIdentity & Partial<Pick<List, 'language' | 'languages'>>,
  language = list.language ?? 'en',
): { address: string; what: string }[] {
  const m = messagesFor(language);
  const languages = list.language
    ? [...listLanguages({ language: list.language, languages: list.languages }), DEFAULT_CHOICE].join('|')
    : '<code>|default';
  const [subscribe, ...join] = roleAddresses(list.address, 'subscribe');
  const [unsubscribe, ...leave] = roleAddresses(list.address, 'unsubscribe');
  return [
    { address: listAddress(list.address, { kind: 'post' }), what: m.t('commands.post') },
    { address: subscribe as string, what: m.t('commands.subscribe', { others: join.join(', ') }) },
    { address: unsubscribe as string, what: m.t('commands.unsubscribe', { others: leave.join(', ') }) },
    { address: listAddress(list.address, { kind: 'request' }), what: m.t('commands.request', { languages }) },
  ];
}
