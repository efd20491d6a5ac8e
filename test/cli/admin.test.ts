// `bulletin admin …` as an operator runs it: accounts created with a password that never is an
// argument, listed with their roles, removed; every mistake one line.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/admin/accounts.ts';
import type { Db } from '../../src/store/db.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { bulletin } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';

let postgres: PostgresServer;
let env: Record<string, string>;
let db: Db;
const data = tempDataDir();

beforeAll(async () => {
  postgres = await startPostgres();
  env = { DATABASE_URL: await postgres.createDatabase(), BULLETIN_DATA_DIR: data.dir };
}, 60_000);

afterAll(async () => {
  await db?.close();
  await postgres?.stop();
  data.remove();
});

const admin = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  bulletin(['admin', ...args], { env: { ...env, ...options.env }, input: options.input ?? '' });

describe('bulletin admin', () => {
  it('adds an account with the password from stdin, hashed with argon2id, and lists it', async () => {
    const added = admin(['add-user', 'Ada', '--role', 'publisher', '--password-stdin'], {
      input: 'a long pass phrase\n',
    });
    expect(added.stderr).toBe('');
    expect([added.status, added.stdout]).toEqual([
      0,
      'Account ada (publisher) created: sign in at /admin/login.\n',
    ]);
    db = openPostgres(env.DATABASE_URL as string);
    const { rows } = await db.query<{ password_hash: string }>('SELECT password_hash FROM admin_accounts');
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await authenticate(db, 'ADA', 'a long pass phrase', undefined)).toEqual({
      name: 'ada',
      role: 'publisher',
    });
    expect(await authenticate(db, 'ada', 'a long pass phrasE', undefined)).toBeUndefined();

    expect(admin(['add-user', 'bob', '--password-stdin'], { input: 'another long one\n' }).status).toBe(0);
    const listed = admin(['list-users'], { env: { BULLETIN_ADMIN_PASSWORD: 'the environment one' } });
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(
      /^admin {2}publisher {2}from the environment\nada {4}publisher {2}created .*Z\nbob {4}editor {5}created .*Z\n$/,
    );
  });

  it('never takes the password from the command line, and says so in one line', () => {
    const none = admin(['add-user', 'carl']);
    expect([none.status, none.stderr]).toEqual([
      1,
      'error admin-password-missing: No password given for the new account. Run it in a terminal to be asked, or pipe the password on stdin with --password-stdin.\n',
    ]);
    const short = admin(['add-user', 'carl', '--password-stdin'], { input: 'short\n' });
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(
      /^error admin-password-length: The password must be 12 to 1024 characters long\./,
    );
    const role = admin(['add-user', 'carl', '--role', 'owner', '--password-stdin'], {
      input: 'long enough here\n',
    });
    expect(role.status).toBe(1);
    expect(role.stderr).toContain('Allowed choices are editor, publisher.');
  });

  it('refuses a name taken (in any case, or by the environment account) or not a name', () => {
    const taken = admin(['add-user', 'ADA', '--password-stdin'], { input: 'a long pass phrase\n' });
    expect([taken.status, taken.stderr.split(':')[0]]).toEqual([1, 'error admin-account-exists']);
    const environment = admin(['add-user', 'root', '--password-stdin'], {
      input: 'a long pass phrase\n',
      env: { BULLETIN_ADMIN_USER: 'Root', BULLETIN_ADMIN_PASSWORD: 'the environment one' },
    });
    expect([environment.status, environment.stderr]).toEqual([
      1,
      'error admin-account-exists: An account root exists already. `bulletin admin remove-user <name>` first to replace it; `admin list-users` lists them.\n',
    ]);
    const bad = admin(['add-user', '../x', '--password-stdin'], { input: 'a long pass phrase\n' });
    expect([bad.status, bad.stderr.split(':')[0]]).toEqual([1, 'error admin-account-name']);
  });

  it('removes an account, once', () => {
    expect(admin(['remove-user', 'BOB']).stdout).toBe('Account bob removed; its sessions are ended.\n');
    const again = admin(['remove-user', 'bob']);
    expect([again.status, again.stderr.split(':')[0]]).toEqual([1, 'error admin-no-account']);
    expect(admin(['list-users']).stdout).not.toContain('bob');
  });
});
