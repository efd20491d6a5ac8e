import { describe, expect, it } from 'vitest';
import { isAutomaticReply, noAutoReplyReason } from '../../src/inbound/loops.ts';

const ours = (a: string) => a.toLowerCase().startsWith('globaleye');
const mail = (
  headers: Record<string, string> = {},
  envelopeFrom: string | null = 'ann@example.org',
  from = 'ann@example.org',
) => ({
  envelopeFrom,
  from,
  headers: new Map(Object.entries(headers)),
});

describe('noAutoReplyReason (RFC 3834)', () => {
  it('allows a reply to a person', () => {
    expect(noAutoReplyReason(mail({ 'auto-submitted': 'no' }), ours)).toBeUndefined();
  });

  it.each([
    ['the null sender', mail({}, null), 'null envelope sender'],
    ['Auto-Submitted', mail({ 'auto-submitted': 'auto-replied' }), 'Auto-Submitted: auto-replied'],
    ['Precedence: junk', mail({ precedence: 'junk' }), 'Precedence: junk'],
    ['List-Id', mail({ 'list-id': '<x.example.net>' }), 'List-Id'],
    ['our X-Loop', mail({ 'x-loop': 'globaleye@example.org' }), 'X-Loop'],
    ['our own address', mail({}, 'globaleye@example.org'), 'our own addresses'],
    ['a robot sender', mail({}, 'MAILER-DAEMON@example.org'), 'robot'],
    ['an owner- sender', mail({}, 'owner-news@example.net'), 'robot'],
    ['a noreply From', mail({}, 'x@example.org', 'noreply@example.org'), 'robot'],
  ])('refuses %s', (_, m, reason) => {
    expect(noAutoReplyReason(m, ours)).toContain(reason);
  });
});

describe('isAutomaticReply', () => {
  it('is true for bounces and auto-replies, false for bulk mail from people', () => {
    expect(isAutomaticReply(mail({}, null))).toBe(true);
    expect(isAutomaticReply(mail({ 'auto-submitted': 'auto-replied' }))).toBe(true);
    expect(isAutomaticReply(mail({}, 'postmaster@example.org'))).toBe(true);
    expect(isAutomaticReply(mail({ precedence: 'list' }))).toBe(false);
  });
});
