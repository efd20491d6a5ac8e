import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { MessageTemplate, quotedPrintable } from '../../src/delivery/message-template.ts';
import { loadIssue } from '../../src/issue/load.ts';
import { campaignMessageId, listHeaders, listUnsubscribeValue } from '../../src/list/headers.ts';
import { renderEmail } from '../../src/render/email/index.ts';
import type { RecipientValues } from '../../src/render/replacements.ts';
import { renderText } from '../../src/render/text/index.ts';

const list = {
  name: 'The Global Eye on Human Trafficking',
  address: 'globaleye@example.org',
  archiveUrl: 'https://bulletin.example.org/global-eye/',
};

function recipient(email: string, id: number): RecipientValues {
  const unsubscribeUrl = `https://bulletin.example.org/unsubscribe/u${id}-abc-defghijklmnopqrs?x=1&y=2`;
  return {
    to: email,
    recipient_email: email,
    message_id: campaignMessageId(7, id, list.address),
    return_path: `globaleye+b${id}-xyz@example.org`,
    unsubscribe_url: unsubscribeUrl,
    preferences_url: `https://bulletin.example.org/preferences/p${id}-abc-defghijklmnopqrs`,
    list_unsubscribe: listUnsubscribeValue(list, unsubscribeUrl),
  };
}

async function compose(html: string, text: string) {
  return MessageTemplate.compose({
    from: { name: list.name, address: list.address },
    subject: 'The Global Eye No. 5: Spring — été',
    html,
    text,
    headers: listHeaders(list, list.archiveUrl),
    issue: {
      web_url: 'https://bulletin.example.org/global-eye/005/',
      pdf_url: 'https://bulletin.example.org/global-eye/005/global-eye-005.pdf',
    },
    date: new Date('2026-03-01T08:00:00Z'),
  });
}

describe('MessageTemplate', () => {
  it('personalises the real issue 005 email: every placeholder filled, headers of a list', async () => {
    const { issue } = loadIssue('issues/global-eye/005.md');
    if (!issue) throw new Error('issue 005 does not load');
    const email = await renderEmail(issue);
    const template = await compose(email.html, renderText(issue));
    const raw = template.personalise(recipient('ana.souza@example.net', 42));

    expect(raw.toString('latin1')).not.toMatch(/%%/);
    for (const line of raw.toString('latin1').split(/\r?\n/)) expect(line.length).toBeLessThanOrEqual(998);
    const parsed = await simpleParser(raw);
    expect(parsed.headers.get('to')).toMatchObject({ text: 'ana.souza@example.net' });
    expect(parsed.messageId).toBe('<c7.s42@example.org>');
    const header = (key: string) => parsed.headerLines.find((h) => h.key === key)?.line ?? '';
    expect(header('return-path')).toBe('Return-Path: <globaleye+b42-xyz@example.org>');
    expect(header('list-id')).toBe('List-ID: "The Global Eye on Human Trafficking" <globaleye.example.org>');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(header('precedence')).toBe('Precedence: bulk');
    const unsubscribe = header('list-unsubscribe');
    expect(unsubscribe).toContain('<mailto:globaleye-unsubscribe@example.org>');
    expect(unsubscribe).toContain(
      '<https://bulletin.example.org/unsubscribe/u42-abc-defghijklmnopqrs?x=1&y=2>',
    );
    expect(parsed.subject).toBe('The Global Eye No. 5: Spring — été');
    expect(parsed.html).toContain(
      'href="https://bulletin.example.org/unsubscribe/u42-abc-defghijklmnopqrs?x=1&amp;y=2"',
    );
    expect(parsed.text).toContain(
      'https://bulletin.example.org/unsubscribe/u42-abc-defghijklmnopqrs?x=1&y=2',
    );
  });

  it('finds markers that quoted-printable wrapping split with a soft line break', async () => {
    // Long runs without spaces force nodemailer to break lines at 76 columns, wherever that falls.
    const texts = Array.from(
      { length: 80 },
      (_, shift) => `${'x'.repeat(shift)}%%unsubscribe_url%%${'y'.repeat(90)}`,
    );
    const template = await compose(
      `<p>${texts.map((t) => t.replace('%%unsubscribe_url%%', '<a href="%%unsubscribe_url%%">%%recipient_email%%</a>')).join('</p><p>')}</p>`,
      texts.join('\n'),
    );
    const raw = template.personalise(recipient('b@example.com', 1)).toString('latin1');
    expect(raw).not.toMatch(/%(=\r\n)?%/);
    // Some markers really are split by nodemailer's wrapping: otherwise this test proves nothing.
    const wrapped = (
      await new MailComposer({
        text: { content: texts.join('\n'), contentTransferEncoding: 'quoted-printable' },
      })
        .compile()
        .build()
    ).toString();
    expect(wrapped.split('%%unsubscribe_url%%').length - 1).toBeLessThan(70);
    const parsed = await simpleParser(Buffer.from(raw, 'latin1'));
    const lines = (parsed.text ?? '').split('\n').filter(Boolean);
    expect(lines).toHaveLength(80);
    lines.forEach((line, shift) => {
      expect(line).toBe(
        `${'x'.repeat(shift)}https://bulletin.example.org/unsubscribe/u1-abc-defghijklmnopqrs?x=1&y=2${'y'.repeat(90)}`,
      );
    });
    for (const line of raw.split(/\r?\n/)) expect(line.length, line).toBeLessThanOrEqual(78);
  });

  it('encodes spliced values as quoted-printable within 76 columns', () => {
    const encoded = quotedPrintable(`https://example.org/u?t=${'a'.repeat(200)}&é`);
    for (const line of encoded.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(encoded).toContain('t=3Daaa');
    expect(encoded.endsWith('=C3=A9=\r\n')).toBe(true);
  });
});
