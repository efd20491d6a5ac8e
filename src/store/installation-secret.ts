// The installation's token secret, kept in the database so that every process on every machine
// signs links the others accept: a worker on a second machine, with a data dir of its own, signs
// with the same secret as `serve` on the first.
//
// The first process to start writes it (race-safe: one INSERT wins, everyone reads the winner),
// from BULLETIN_SECRET when set, else from the data dir's secret file (an installation from before
// this table keeps its links working), else a random one. From then on it is the installation's:
// a process configured with another BULLETIN_SECRET refuses to start, rather than send links that
// answer "expired".

import { fail } from '../problems.ts';
import { loadSecret } from '../tokens.ts';
import type { Queryable } from './db.ts';

const TOKENS = 'tokens';

async function stored(db: Queryable): Promise<string | undefined> {
  const { rows } = await db.query<{ value: string }>(
    'SELECT value FROM installation_secrets WHERE name = $1',
    [TOKENS],
  );
  return rows[0]?.value;
}

export async function installationSecret(
  db: Queryable,
  config: { dataDir: string; secret?: string },
): Promise<Buffer> {
  let secret = await stored(db);
  if (secret === undefined) {
    await db.query(
      'INSERT INTO installation_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [TOKENS, loadSecret(config).toString()],
    );
    secret = (await stored(db)) as string;
  }
  if (config.secret !== undefined && config.secret !== secret)
    fail(
      'secret-mismatch',
      "BULLETIN_SECRET is not this installation's token secret (the one in the database): links signed with it would not work.",
      "Give every process the first one's BULLETIN_SECRET, or unset it to use the database's.",
    );
  return Buffer.from(secret);
}
