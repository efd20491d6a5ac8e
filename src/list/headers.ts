// Every header the list's mail carries, built here only: the headers of a mailing list (RFC 2369,
// RFC 2919, RFC 8058) on each copy of a campaign, the marks of an automatic reply (RFC 3834) on
// confirmations, welcomes and the like, and the per-recipient values (List-Unsubscribe, the VERP
// Return-Path, Message-ID). Addresses come from the grammar in addresses.ts.

import { listAddress, listDomain, listIdentifier } from './addresses.ts';
import type { ListIdentity } from './list.ts';

/**
 * List-Id (RFC 2919): the list's identifier, after its name when `name` is given (campaigns name
 * the list; automatic replies carry the bare identifier).
 */
export function listIdValue(address: string, name?: string): string {
  const id = `<${listIdentifier(address)}>`;
  return name === undefined ? id : `${quotePhrase(name)} ${id}`;
}

/** Headers shared by every copy of a campaign; `archiveUrl` is where the web editions are listed. */
export function listHeaders(list: ListIdentity, archiveUrl: string): Record<string, string> {
  return {
    'List-Id': listIdValue(list.address, list.name),
    'List-Help': `<mailto:${listAddress(list.address, { kind: 'request' })}?subject=help>`,
    'List-Subscribe': `<mailto:${listAddress(list.address, { kind: 'subscribe' })}>`,
    'List-Archive': `<${archiveUrl}>`,
    // Mail to the list address reaches the editors as a contribution.
    'List-Post': `<mailto:${listAddress(list.address, { kind: 'post' })}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    Precedence: 'bulk',
    // No out-of-office replies from Exchange; Precedence: bulk does the same for RFC 3834 responders.
    'X-Auto-Response-Suppress': 'OOF, AutoReply',
  };
}

/** RFC 2369 List-Unsubscribe: the mailto command first, then the one-click https link; folded. */
export function listUnsubscribeValue(list: ListIdentity, unsubscribeUrl: string): string {
  return `<mailto:${listAddress(list.address, { kind: 'unsubscribe' })}>,\r\n <${unsubscribeUrl}>`;
}

/** The VERP envelope sender: bounces name the recipient through a signed token. */
export function verpReturnPath(list: ListIdentity, bounceToken: string): string {
  return listAddress(list.address, { kind: 'bounce', token: bounceToken });
}

/** A Message-ID that is the same for every retry to one recipient, so receivers can drop a duplicate. */
export function campaignMessageId(campaignId: number, subscriberId: number, address: string): string {
  return listMessageId(address, `c${campaignId}.s${subscriberId}`);
}

/** A Message-ID (without angle brackets) in the list's domain. */
export function listMessageId(address: string, unique: string): string {
  return `${unique}@${listDomain(address)}`;
}

/**
 * The headers of an automatic reply (RFC 3834): marked as such, with our loop detector's X-Loop,
 * and the list's identifier so that filters and other lists treat it as list mail.
 */
export function automaticReplyHeaders(list: ListIdentity): Record<string, string> {
  return {
    'Auto-Submitted': 'auto-replied',
    'X-Loop': list.address,
    'List-Id': listIdValue(list.address),
  };
}

function quotePhrase(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a header value must not carry them
  const clean = name.replace(/[\u0000-\u001f\u007f"\\]/g, '');
  return /^[\x20-\x7e]*$/.test(clean) ? `"${clean}"` : `=?UTF-8?B?${Buffer.from(clean).toString('base64')}?=`;
}
