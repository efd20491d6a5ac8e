// The RFC 2369/2919/8058 headers every message of a list carries, for one recipient: mail clients
// show an unsubscribe button from them, and one-click unsubscription posts to our page.

import { type TokenSubject, type Tokens, unsubscribeUrl } from '../tokens.ts';

export function listHeaders(
  list: { name: string; address: string },
  recipient: TokenSubject,
  links: { publicUrl: string; tokens: Tokens },
): Record<string, string> {
  const [local, domain] = list.address.split('@');
  return {
    'List-Id': `${JSON.stringify(list.name)} <${local}.${domain}>`,
    'List-Unsubscribe': `<${unsubscribeUrl(links.publicUrl, links.tokens, recipient)}>, <mailto:${local}-unsubscribe@${domain}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Help': `<mailto:${local}-request@${domain}?subject=help>`,
    'List-Subscribe': `<mailto:${local}-subscribe@${domain}>`,
    'List-Post': `<mailto:${list.address}>`,
  };
}
