// The address grammar of a list, in one place (README has the same table):
//
//   <list>@                     post: a command word in subject or first line, else a contribution
//   <list>-subscribe@  -join@   subscribe
//   <list>-unsubscribe@ -leave@ unsubscribe
//   <list>-request@             commands in the subject or body
//   <list>+confirm-<token>@     reply to a confirmation email
//   <list>+bounce-<token>@      VERP return path of outgoing list mail

import type { List } from '../subscribers/lists.ts';

export type ListRole =
  | { kind: 'post' }
  | { kind: 'subscribe' }
  | { kind: 'unsubscribe' }
  | { kind: 'request' }
  | { kind: 'confirm'; token: string }
  | { kind: 'bounce'; token: string };

// A Map, not an object literal: a local part ending in "constructor" or "__proto__" must not find
// an inherited property and be taken for one of our addresses.
const SUFFIXES = new Map<string, 'post' | 'subscribe' | 'unsubscribe' | 'request'>([
  ['', 'post'],
  ['-subscribe', 'subscribe'],
  ['-join', 'subscribe'],
  ['-unsubscribe', 'unsubscribe'],
  ['-leave', 'unsubscribe'],
  ['-request', 'request'],
]);

function split(address: string): [local: string, domain: string] {
  const at = address.lastIndexOf('@');
  return [address.slice(0, at), address.slice(at + 1)];
}

/** Which list a recipient address belongs to and in what role; undefined: not ours (550 at RCPT). */
export function parseListAddress(
  recipient: string,
  lists: readonly List[],
): { list: List; role: ListRole } | undefined {
  const [local, domain] = split(recipient.trim().toLowerCase());
  for (const list of lists) {
    const [listLocal, listDomain] = split(list.address);
    if (domain !== listDomain || !local.startsWith(listLocal)) continue;
    const rest = local.slice(listLocal.length);
    const kind = SUFFIXES.get(rest);
    if (kind) return { list, role: { kind } };
    const tagged = /^\+(confirm|bounce)-([0-9a-z-]+)$/.exec(rest);
    if (tagged)
      return { list, role: { kind: tagged[1] as 'confirm' | 'bounce', token: tagged[2] as string } };
  }
  return undefined;
}

/** The address of `role` for a list address: listAddress('globaleye@example.org', {kind: 'request'}). */
export function listAddress(address: string, role: ListRole): string {
  const [local, domain] = split(address);
  switch (role.kind) {
    case 'post':
      return address;
    case 'confirm':
    case 'bounce':
      return `${local}+${role.kind}-${role.token}@${domain}`;
    default:
      return `${local}-${role.kind}@${domain}`;
  }
}
