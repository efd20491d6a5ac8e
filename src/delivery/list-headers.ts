// The headers a real mailing list sends (RFC 2369, RFC 2919, RFC 8058), and the per-recipient
// values that go into them. Command addresses follow the list's grammar in ../inbound/addresses.ts.

import { listAddress } from '../inbound/addresses.ts';

/** Who the list is: enough to name it in headers and to address its commands. */
export interface ListIdentity {
  /** Display name: "The Global Eye on Human Trafficking". */
  name: string;
  /** globaleye@example.org */
  address: string;
  /** Where the archive of the web editions lives: https://…/global-eye/ */
  archiveUrl: string;
}

/** Headers shared by every copy of a campaign. */
export function listHeaders(list: ListIdentity): Record<string, string> {
  const [local, domain] = splitAddress(list.address);
  return {
    // The list's permanent id: the address with "@" turned into "." (RFC 2919 §3).
    'List-Id': `${quotePhrase(list.name)} <${local}.${domain}>`,
    'List-Help': `<mailto:${listAddress(list.address, { kind: 'request' })}?subject=help>`,
    'List-Subscribe': `<mailto:${listAddress(list.address, { kind: 'subscribe' })}>`,
    'List-Archive': `<${list.archiveUrl}>`,
    // Mail to the list address reaches the editors as a contribution (as in ../mail/list-headers.ts).
    'List-Post': `<mailto:${list.address}>`,
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
export function campaignMessageId(campaignId: number, subscriberId: number, listAddress: string): string {
  return `c${campaignId}.s${subscriberId}@${splitAddress(listAddress)[1]}`;
}

function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf('@');
  return [address.slice(0, at), address.slice(at + 1)];
}

function quotePhrase(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a header value must not carry them
  const clean = name.replace(/[\u0000-\u001f\u007f"\\]/g, '');
  return /^[\x20-\x7e]*$/.test(clean) ? `"${clean}"` : `=?UTF-8?B?${Buffer.from(clean).toString('base64')}?=`;
}
