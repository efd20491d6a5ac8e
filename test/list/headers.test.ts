import { describe, expect, it } from 'vitest';
import {
  automaticReplyHeaders,
  campaignMessageId,
  listHeaders,
  listIdValue,
  listMessageId,
  listUnsubscribeValue,
  verpReturnPath,
} from '../../src/list/headers.ts';
import { createTokens, unsubscribeUrl } from '../../src/tokens.ts';

const list = { name: 'The Global Eye', address: 'globaleye@example.org' };

describe('the headers of a campaign', () => {
  it('are those of a mailing list, in this order, byte for byte', () => {
    expect(Object.entries(listHeaders(list, 'https://news.example.org/global-eye/'))).toEqual([
      ['List-Id', '"The Global Eye" <globaleye.example.org>'],
      ['List-Help', '<mailto:globaleye-request@example.org?subject=help>'],
      ['List-Subscribe', '<mailto:globaleye-subscribe@example.org>'],
      ['List-Archive', '<https://news.example.org/global-eye/>'],
      ['List-Post', '<mailto:globaleye@example.org>'],
      ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
      ['Precedence', 'bulk'],
      ['X-Auto-Response-Suppress', 'OOF, AutoReply'],
    ]);
  });

  it('give each recipient the mailto command, then a signed one-click link, folded', () => {
    const tokens = createTokens(Buffer.from('a-test-secret-of-at-least-32-characters'));
    const ann = { id: 7, publication: 'global-eye', email: 'ann@example.org' };
    const value = listUnsubscribeValue(list, unsubscribeUrl('https://news.example.org', tokens, ann));
    const link =
      /^<mailto:globaleye-unsubscribe@example\.org>,\r\n <https:\/\/news\.example\.org\/unsubscribe\/([^>]+)>$/.exec(
        value,
      );
    expect(tokens.verify(link?.[1] as string, 'unsubscribe', ann)).toBe(true);
  });

  it('name the list in List-Id safely: no quotes or control characters, other scripts encoded', () => {
    expect(listIdValue('globaleye@example.org', 'The "Global"\r\nEye\\')).toBe(
      '"The GlobalEye" <globaleye.example.org>',
    );
    expect(listIdValue('globaleye@example.org', 'L’Œil global')).toBe(
      `=?UTF-8?B?${Buffer.from('L’Œil global').toString('base64')}?= <globaleye.example.org>`,
    );
  });

  it('give the VERP return path and Message-IDs in the list domain', () => {
    expect(verpReturnPath(list, 'b7-abc-xyz')).toBe('globaleye+bounce-b7-abc-xyz@example.org');
    expect(campaignMessageId(12, 345, list.address)).toBe('c12.s345@example.org');
    expect(listMessageId(list.address, 'proof.1')).toBe('proof.1@example.org');
  });
});

describe('the headers of an automatic reply', () => {
  it('mark it as one (RFC 3834), with our X-Loop and the bare List-Id', () => {
    expect(Object.entries(automaticReplyHeaders(list))).toEqual([
      ['Auto-Submitted', 'auto-replied'],
      ['X-Loop', 'globaleye@example.org'],
      ['List-Id', '<globaleye.example.org>'],
    ]);
  });
});
