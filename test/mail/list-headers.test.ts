import { describe, expect, it } from 'vitest';
import { listHeaders } from '../../src/mail/list-headers.ts';
import { createTokens } from '../../src/tokens.ts';

describe('listHeaders', () => {
  it('gives each recipient a signed one-click unsubscribe link and the list addresses', () => {
    const tokens = createTokens(Buffer.from('a-test-secret-of-at-least-32-characters'));
    const ann = { id: 7, publication: 'global-eye', email: 'ann@example.org' };
    const headers = listHeaders({ name: 'The Global Eye', address: 'globaleye@example.org' }, ann, {
      publicUrl: 'https://news.example.org',
      tokens,
    });
    expect(headers['List-Id']).toBe('"The Global Eye" <globaleye.example.org>');
    const link =
      /^<https:\/\/news\.example\.org\/unsubscribe\/([^>]+)>, <mailto:globaleye-unsubscribe@example\.org>$/.exec(
        headers['List-Unsubscribe'] as string,
      );
    expect(tokens.verify(link?.[1] as string, 'unsubscribe', ann)).toBe(true);
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(headers['List-Help']).toBe('<mailto:globaleye-request@example.org?subject=help>');
  });
});
