import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testClock } from '../src/clock.ts';
import { createTokens, loadSecret, unsubscribeUrl } from '../src/tokens.ts';

const secret = Buffer.from('a-test-secret-of-at-least-32-characters');
const ann = { id: 42, publication: 'global-eye', email: 'ann@example.org' };
const clock = testClock(new Date('2026-01-01T00:00:00Z'));
const tokens = createTokens(secret, clock);

describe('tokens', () => {
  it('verify for the purpose and subject they were signed for', () => {
    const token = tokens.sign('subscribe', ann);
    expect(tokens.verify(token, 'subscribe', ann)).toBe(true);
    expect(tokens.read(token)).toMatchObject({ purpose: 'subscribe', subscriberId: 42 });
  });

  it('fit in an email local part and survive lower-casing by an MTA', () => {
    const token = tokens.sign('bounce', { ...ann, id: 2 ** 40 });
    expect(token).toMatch(/^[0-9a-z-]+$/);
    expect(`globaleye+bounce-${token}`.length).toBeLessThanOrEqual(64);
    expect(tokens.verify(token.toUpperCase(), 'bounce', { ...ann, id: 2 ** 40 })).toBe(true);
  });

  it('act on no other address, list, subscriber or purpose', () => {
    const token = tokens.sign('unsubscribe', ann);
    expect(tokens.verify(token, 'unsubscribe', { ...ann, email: 'eve@example.org' })).toBe(false);
    expect(tokens.verify(token, 'unsubscribe', { ...ann, publication: 'other' })).toBe(false);
    expect(tokens.verify(token, 'unsubscribe', { ...ann, id: 43 })).toBe(false);
    expect(tokens.verify(token, 'subscribe', ann)).toBe(false);
  });

  it('for a change name the change, bound to the state its subscriber was in', () => {
    const change = { ...ann, id: 7, generation: 3 };
    const token = tokens.sign('change', change);
    expect(tokens.read(token)).toMatchObject({ purpose: 'change', subscriberId: 7 });
    expect(tokens.verify(token, 'change', change)).toBe(true);
    expect(tokens.verify(token, 'change', { ...change, generation: 4 })).toBe(false);
    expect(tokens.verify(token, 'subscribe', change)).toBe(false);
  });

  it('expire', () => {
    const token = tokens.sign('subscribe', ann, 60);
    clock.advance(61_000);
    expect(tokens.verify(token, 'subscribe', ann)).toBe(false);
  });

  it('are rejected when altered or signed with another secret', () => {
    const token = tokens.sign('subscribe', ann);
    const flipped = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    expect(tokens.verify(flipped, 'subscribe', ann)).toBe(false);
    const longer = token.replace(
      /-([0-9a-z]+)-/,
      (_, e: string) => `-${(Number.parseInt(e, 36) + 9999).toString(36)}-`,
    );
    expect(tokens.verify(longer, 'subscribe', ann)).toBe(false);
    const other = createTokens(Buffer.from('another-secret-of-at-least-32-characters'), clock);
    expect(other.verify(token, 'subscribe', ann)).toBe(false);
    expect(tokens.read('garbage')).toBeUndefined();
  });

  it('have one spelling: leading zeros in the id or the expiry make a token invalid', () => {
    const token = tokens.sign('unsubscribe', { ...ann, id: 5 });
    expect(token).toMatch(/^u5-/);
    expect(tokens.verify(token, 'unsubscribe', { ...ann, id: 5 })).toBe(true);
    expect(tokens.read(token.replace(/^u5-/, 'u05-'))).toBeUndefined();
    expect(tokens.verify(token.replace(/^u5-/, 'u05-'), 'unsubscribe', { ...ann, id: 5 })).toBe(false);
    expect(tokens.verify(token.replace(/-([0-9a-z]+)-/, '-0$1-'), 'unsubscribe', { ...ann, id: 5 })).toBe(
      false,
    );
  });

  it('to subscribe are bound to the state of the row: a change of status makes them invalid', () => {
    const pending = { ...ann, generation: 0 };
    const token = tokens.sign('subscribe', pending);
    expect(tokens.verify(token, 'subscribe', pending)).toBe(true);
    expect(tokens.verify(token, 'subscribe', { ...ann, generation: 1 })).toBe(false);
    const unsubscribe = tokens.sign('unsubscribe', pending);
    expect(tokens.verify(unsubscribe, 'unsubscribe', { ...ann, generation: 7 })).toBe(true);
  });

  it('build unsubscribe links under the public URL', () => {
    expect(unsubscribeUrl('https://news.example.org', tokens, ann)).toMatch(
      /^https:\/\/news\.example\.org\/unsubscribe\/u[0-9a-z]+-[0-9a-z]+-[a-z2-7]{16}$/,
    );
  });
});

describe('loadSecret', () => {
  it('uses BULLETIN_SECRET when set', () => {
    expect(loadSecret({ dataDir: '/nonexistent', secret: 'x'.repeat(32) }).toString()).toBe('x'.repeat(32));
  });

  it('otherwise generates one secret into the data directory, readable only by its owner', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bulletin-secret-'));
    try {
      const first = loadSecret({ dataDir });
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(loadSecret({ dataDir })).toEqual(first);
      expect(statSync(join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dataDir, { recursive: true });
    }
  });
});
