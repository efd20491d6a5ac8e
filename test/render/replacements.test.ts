import { describe, expect, it } from 'vitest';
import {
  editionUrls,
  fillPlaceholders,
  issueValues,
  PLACEHOLDERS,
  RECIPIENT_HEADERS,
  recipientValues,
  sampleValues,
} from '../../src/render/replacements.ts';
import { createTokens } from '../../src/tokens.ts';

const edition = { publicUrl: 'https://news.example.org', publication: 'global-eye', issueCode: '005' };
const list = {
  name: 'The Global Eye',
  address: 'globaleye@example.org',
  archiveUrl: 'https://news.example.org/global-eye/',
};
const tokens = createTokens(Buffer.from('a-secret-of-at-least-thirty-two-characters'));

describe('the replacement table', () => {
  it('gives the issue-level values once per edition', () => {
    expect(issueValues(edition)).toEqual({
      web_url: 'https://news.example.org/global-eye/005/',
      pdf_url: 'https://news.example.org/global-eye/005/global-eye-005.pdf',
    });
  });

  it("points a translation's readers at their language's editions: /<publication>/<language>/<NNN>/", () => {
    expect(issueValues({ ...edition, language: 'fr' })).toEqual({
      web_url: 'https://news.example.org/global-eye/fr/005/',
      pdf_url: 'https://news.example.org/global-eye/fr/005/global-eye-005.pdf',
    });
    expect(editionUrls('https://news.example.org/', 'global-eye', '005', 'es').web_url).toBe(
      'https://news.example.org/global-eye/es/005/',
    );
  });

  it("gives each recipient their address, their own signed links, and headers naming the body's link", () => {
    const values = recipientValues({
      ...edition,
      campaignId: 7,
      list,
      tokens,
      subscriber: { id: 42, email: 'Ana@example.net' },
    });
    expect(values.to).toBe('Ana@example.net');
    expect(values.recipient_email).toBe('Ana@example.net');
    expect(values.message_id).toBe('c7.s42@example.org');
    expect(values.unsubscribe_url).toMatch(/^https:\/\/news\.example\.org\/unsubscribe\/u16-/);
    expect(
      tokens.verify(values.unsubscribe_url.split('/').pop() as string, 'unsubscribe', {
        id: 42,
        publication: 'global-eye',
        email: 'ana@example.net',
      }),
    ).toBe(true);
    expect(values.return_path).toMatch(/^globaleye\+bounce-b16-[0-9a-z]+-[a-z2-7]{16}@example\.org$/);
    expect(values.list_unsubscribe).toBe(
      `<mailto:globaleye-unsubscribe@example.org>,\r\n <${values.unsubscribe_url}>`,
    );
  });

  it('names a header for every per-recipient header value, each once', () => {
    expect(RECIPIENT_HEADERS.map((h) => h.name)).toEqual([
      'To',
      'Message-ID',
      'Return-Path',
      'List-Unsubscribe',
    ]);
  });

  it('fills every body placeholder, HTML-escaped in HTML and as is in text', () => {
    const body = Object.values(PLACEHOLDERS).join(' ');
    const values = {
      ...sampleValues('http://127.0.0.1:4000'),
      unsubscribe_url: 'https://x.example.org/u?a=1&b=2',
    };
    const html = fillPlaceholders(body, values, 'html');
    const text = fillPlaceholders(body, values, 'text');
    expect(html).not.toContain('%%');
    expect(html).toContain('https://x.example.org/u?a=1&amp;b=2');
    expect(text).toContain('https://x.example.org/u?a=1&b=2');
    expect(text).toContain('reader@example.org');
  });
});
