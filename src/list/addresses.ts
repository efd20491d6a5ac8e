// The address grammar of a list: the one place that builds or parses a list address (README has
// the same table).
//
//   <list>@                     post: a command word in subject or first line, else a contribution
//   <list>-subscribe@  -join@   subscribe
//   <list>-unsubscribe@ -leave@ unsubscribe
//   <list>-request@             commands in the subject or body
//   <list>+confirm-<token>@     reply to a confirmation email
//   <list>+bounce-<token>@      VERP return path of outgoing list mail

import { InternalError } from '../problems.ts';
import type { ListIdentity } from './list.ts';

export type ListRole =
  | { kind: 'post' }
  | { kind: 'subscribe' }
  | { kind: 'unsubscribe' }
  | { kind: 'request' }
  | { kind: 'confirm'; token: string }
  | { kind: 'bounce'; token: string };

type PlainKind = 'post' | 'subscribe' | 'unsubscribe' | 'request';

// A Map, not an object literal: a local part ending in "constructor" or "__proto__" must not find
// an inherited property and be taken for one of our addresses. The first suffix of each kind is
// the one we write; the others are accepted too.
const SUFFIXES = new Map<string, PlainKind>([
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

/**
 * Which list a recipient address belongs to and in what role; undefined: not ours (550 at RCPT).
 * Case-blind: MTAs may change the case of a local part.
 */
export function parseListAddress<L extends Pick<ListIdentity, 'address'>>(
  recipient: string,
  lists: readonly L[],
): { list: L; role: ListRole } | undefined {
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
    case 'confirm':
    case 'bounce':
      return `${local}+${role.kind}-${role.token}@${domain}`;
    default:
      return `${local}${canonicalSuffix(role.kind)}@${domain}`;
  }
}

/** Every address that acts as `kind` for a list address, the one we write first. */
export function roleAddresses(address: string, kind: PlainKind): string[] {
  const [local, domain] = split(address);
  return [...SUFFIXES].filter(([, k]) => k === kind).map(([suffix]) => `${local}${suffix}@${domain}`);
}

function canonicalSuffix(kind: PlainKind): string {
  for (const [suffix, k] of SUFFIXES) if (k === kind) return suffix;
  throw new InternalError(`no address for the list role ${kind}`);
}

/** The list's domain: where its Message-IDs live. */
export function listDomain(address: string): string {
  return split(address)[1];
}

/** The list's permanent identifier (RFC 2919 §3): the address with "@" turned into ".". */
export function listIdentifier(address: string): string {
  const [local, domain] = split(address);
  return `${local}.${domain}`;
}
