// Signed tokens for confirm links, reply-to-confirm addresses, unsubscribe links and VERP
// return paths. A token names a subscriber row by id and carries its expiry; the MAC covers
// purpose, id, list, address and expiry, so a token for one address or list acts on no other.
//
// Tokens travel inside email local parts (limit 64 characters, and some MTAs lower-case them),
// so they use only [0-9a-z-]: base36 numbers and a base32 MAC truncated to 80 bits.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, systemClock } from './clock.ts';

/**
 * `change` names a row of subscriber_changes (a change waiting for the owner), not a subscriber.
 * `preferences` opens the reader's preference page from an issue's footer.
 */
export type TokenPurpose = 'subscribe' | 'unsubscribe' | 'bounce' | 'change' | 'preferences';

const CODES: Record<TokenPurpose, string> = {
  subscribe: 's',
  unsubscribe: 'u',
  bounce: 'b',
  change: 'c',
  preferences: 'p',
};
const PURPOSES = new Map<string, TokenPurpose>([
  ['s', 'subscribe'],
  ['u', 'unsubscribe'],
  ['b', 'bounce'],
  ['c', 'change'],
  ['p', 'preferences'],
]);

/** How long each kind stays valid: confirmation requests briefly, unsubscribe links in old issues long. */
export const TOKEN_LIFETIME_SECONDS: Record<TokenPurpose, number> = {
  subscribe: 7 * 86400,
  unsubscribe: 400 * 86400,
  bounce: 60 * 86400,
  change: 7 * 86400,
  // As long as the unsubscribe link beside it in the same footer. Bound to the address (as every
  // token): once the reader moves to another address, the old issues' links open nothing.
  preferences: 400 * 86400,
};

/** What a token is about: one subscriber row of one list. */
export interface TokenSubject {
  id: number;
  publication: string;
  email: string;
  /**
   * Bumped by every change of the row's status. Subscribe tokens are bound to it, so one acts
   * once and only on the state it was issued for (a used or stale one cannot re-subscribe someone
   * who left since). Unsubscribe and bounce tokens are not: old issues' links must keep working.
   */
  generation?: number;
}

export interface TokenClaims {
  purpose: TokenPurpose;
  subscriberId: number;
  expires: Date;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export interface Tokens {
  sign(purpose: TokenPurpose, subject: TokenSubject, lifetimeSeconds?: number): string;
  /** The claims a token makes, unverified: use them to load the subject, then `verify`. */
  read(token: string): TokenClaims | undefined;
  /** True only for an unexpired token of this purpose, signed by us for exactly this subject. */
  verify(token: string, purpose: TokenPurpose, subject: TokenSubject): boolean;
}

export function createTokens(secret: Buffer, clock: Clock = systemClock): Tokens {
  const mac = (purpose: TokenPurpose, subject: TokenSubject, expiry: number) => {
    const claims: unknown[] = [purpose, subject.id, subject.publication, subject.email.toLowerCase(), expiry];
    // Generation 0 signs as before generations existed, so tokens already sent stay valid.
    if ((purpose === 'subscribe' || purpose === 'change') && subject.generation)
      claims.push(subject.generation);
    return base32(createHmac('sha256', secret).update(JSON.stringify(claims)).digest().subarray(0, 10));
  };
  const read = (token: string): TokenClaims | undefined => {
    // Only the numbers `sign` writes: no leading zeros, so s05- is not another spelling of s5-.
    // Case is not a spelling: MTAs may change the case of the local part that carries a token.
    const m = /^([subcp])([1-9a-z][0-9a-z]{0,10})-([1-9a-z][0-9a-z]{0,7})-([a-z2-7]{16})$/.exec(
      token.toLowerCase(),
    );
    const purpose = m && PURPOSES.get(m[1] as string);
    if (!m || !purpose) return undefined;
    return {
      purpose,
      subscriberId: Number.parseInt(m[2] as string, 36),
      expires: new Date(Number.parseInt(m[3] as string, 36) * 1000),
    };
  };
  return {
    sign(purpose, subject, lifetimeSeconds = TOKEN_LIFETIME_SECONDS[purpose]) {
      const expiry = Math.floor(clock.now() / 1000) + lifetimeSeconds;
      return `${CODES[purpose]}${subject.id.toString(36)}-${expiry.toString(36)}-${mac(purpose, subject, expiry)}`;
    },
    read,
    verify(token, purpose, subject) {
      const claims = read(token);
      if (!claims || claims.purpose !== purpose || claims.subscriberId !== subject.id) return false;
      if (claims.expires.getTime() <= clock.now()) return false;
      const expected = Buffer.from(mac(purpose, subject, claims.expires.getTime() / 1000));
      const given = Buffer.from(token.toLowerCase().slice(-16));
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/**
 * The installation's signing secret: BULLETIN_SECRET if set, else a random one generated once into
 * `<dataDir>/secret` (mode 0600). Changing it invalidates every outstanding link.
 */
export function loadSecret(config: { dataDir: string; secret?: string }): Buffer {
  if (config.secret) return Buffer.from(config.secret);
  const file = join(config.dataDir, 'secret');
  mkdirSync(config.dataDir, { recursive: true });
  // Written whole to a temporary file, then linked into place: of several processes starting at
  // once exactly one link succeeds, and nobody ever reads a half-written secret.
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, randomBytes(32).toString('base64url'), { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temporary);
  }
  return Buffer.from(readFileSync(file, 'utf8').trim());
}

/** The page behind an unsubscribe link (GET shows a button; POST, or RFC 8058 one-click, acts). */
export function unsubscribeUrl(publicUrl: string, tokens: Tokens, subject: TokenSubject): string {
  return `${publicUrl}/unsubscribe/${tokens.sign('unsubscribe', subject)}`;
}

/** The reader's preference page, linked from every issue's footer beside unsubscribe. */
export function preferencesUrl(publicUrl: string, tokens: Tokens, subject: TokenSubject): string {
  return `${publicUrl}/preferences/${tokens.sign('preferences', subject)}`;
}
