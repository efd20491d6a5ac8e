// Who may use the admin, and what they may do. Two roles, as listmonk separates the permission to
// send: an editor prepares and proofs (sees everything, sends proofs); a publisher also sends
// (pause, resume, cancel, schedule, resend failed, and the queue dashboard's buttons).
//
// Accounts live in PostgreSQL (`admin_accounts`), created with `bulletin admin add-user`; their
// passwords are hashed with argon2id (@node-rs/argon2: prebuilt per platform, no install script,
// OWASP's parameters by default). The environment's BULLETIN_ADMIN_USER/BULLETIN_ADMIN_PASSWORD
// is one more account, a publisher, never stored (compose sets it).

import { createHash, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { fail } from '../problems.ts';
import type { Queryable } from '../store/db.ts';

export const ROLES = ['editor', 'publisher'] as const;
export type Role = (typeof ROLES)[number];

export interface Account {
  name: string;
  role: Role;
}

/** The account configured in the environment (compose), a publisher. */
export interface EnvironmentAccount {
  name: string;
  password: string;
}

/** Whether `role` may do what `needed` may: a publisher can do everything an editor can. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Case-blind, like mailboxes: stored and compared lower-cased. */
export const accountName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._@-]{0,63}$/);

export const PASSWORD_MIN = 12;
/** Argon2 hashes any length; a bound keeps a megabyte-long "password" from being a cheap DoS. */
export const PASSWORD_MAX = 1024;

function checkedName(name: string): string {
  const parsed = accountName.safeParse(name);
  if (!parsed.success) fail('admin-account-name', { name });
  return parsed.data;
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)
    fail('admin-password-length', { min: PASSWORD_MIN, max: PASSWORD_MAX });
}

export async function addAccount(
  db: Queryable,
  input: { name: string; role: Role; password: string },
  environment?: { name: string },
): Promise<Account> {
  const name = checkedName(input.name);
  checkPassword(input.password);
  if (environment && name === environment.name.toLowerCase()) fail('admin-account-exists', { name });
  const { affectedRows } = await db.query(
    `INSERT INTO admin_accounts (name, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
    [name, input.role, await hash(input.password)],
  );
  if (!affectedRows) fail('admin-account-exists', { name });
  return { name, role: input.role };
}

export async function listAccounts(db: Queryable): Promise<(Account & { createdAt: Date })[]> {
  const { rows } = await db.query<{ name: string; role: Role; created_at: Date }>(
    'SELECT name, role, created_at FROM admin_accounts ORDER BY name',
  );
  return rows.map((r) => ({ name: r.name, role: r.role, createdAt: new Date(r.created_at) }));
}

/** Removes the account and ends its sessions, at once. */
export async function removeAccount(db: Queryable, name: string): Promise<void> {
  const key = checkedName(name);
  const { affectedRows } = await db.query('DELETE FROM admin_accounts WHERE name = $1', [key]);
  if (!affectedRows) fail('admin-no-account', { name: key });
  await db.query('DELETE FROM admin_sessions WHERE account = $1', [key]);
}

/** The account as it is now (its role may have changed, it may be gone), for a session naming it. */
export async function currentAccount(
  db: Queryable,
  name: string,
  environment: EnvironmentAccount | undefined,
): Promise<Account | undefined> {
  if (environment && name === environment.name.toLowerCase()) return { name, role: 'publisher' };
  const { rows } = await db.query<{ role: Role }>('SELECT role FROM admin_accounts WHERE name = $1', [name]);
  return rows[0] && { name, role: rows[0].role };
}

let decoy: Promise<string> | undefined;

/**
 * The account whose name and password these are, or undefined. An unknown name costs a hash check
 * all the same, so the time taken does not say which names exist.
 */
export async function authenticate(
  db: Queryable,
  givenName: string,
  password: string,
  environment: EnvironmentAccount | undefined,
): Promise<Account | undefined> {
  const parsed = accountName.safeParse(givenName);
  if (!parsed.success || password.length > PASSWORD_MAX) return undefined;
  const name = parsed.data;
  if (environment && name === environment.name.toLowerCase()) {
    return sameSecret(password, environment.password) ? { name, role: 'publisher' } : undefined;
  }
  const { rows } = await db.query<{ role: Role; password_hash: string }>(
    'SELECT role, password_hash FROM admin_accounts WHERE name = $1',
    [name],
  );
  const row = rows[0];
  if (!row) {
    decoy ??= hash('no such account, only a decoy for the timing');
    await verify(await decoy, password);
    return undefined;
  }
  return (await verify(row.password_hash, password)) ? { name, role: row.role } : undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
