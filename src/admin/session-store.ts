// @fastify/session's store in PostgreSQL (`admin_sessions`): every `serve` of the installation sees
// the same sessions, a restart logs no one out, and removing an account ends its sessions. Only a
// SHA-256 digest of the session id is stored; expired rows are deleted as new sessions are written.

import { createHash } from 'node:crypto';
import type { Session } from 'fastify';
import type { Db } from '../store/db.ts';

type Done = (err?: unknown) => void;

/** A session the store gives back: its cookie's expiry plus what the admin keeps (account, _csrf, flash). */
type StoredSession = Session & { account?: string; cookie: { expires?: Date | string | null } };

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

export class PostgresSessionStore {
  constructor(
    private readonly db: Db,
    /** How long a session without an expiring cookie is kept. */
    private readonly maxAgeMs: number,
  ) {}

  set(sessionId: string, session: Session, done: Done): void {
    const stored = session as StoredSession;
    const expires = stored.cookie?.expires
      ? new Date(stored.cookie.expires)
      : new Date(Date.now() + this.maxAgeMs);
    this.db
      .transaction(async (tx) => {
        await tx.query(
          `INSERT INTO admin_sessions (id_digest, account, data, expires_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id_digest) DO UPDATE SET account = excluded.account, data = excluded.data,
             expires_at = excluded.expires_at`,
          [digest(sessionId), stored.account ?? null, JSON.stringify(session), expires],
        );
        await tx.query('DELETE FROM admin_sessions WHERE expires_at < now()');
      })
      .then(() => done(), done);
  }

  get(sessionId: string, done: (err: unknown, session?: Session | null) => void): void {
    this.db
      .query<{ data: Session }>(
        'SELECT data FROM admin_sessions WHERE id_digest = $1 AND expires_at > now()',
        [digest(sessionId)],
      )
      .then(({ rows }) => done(null, rows[0]?.data ?? null), done);
  }

  destroy(sessionId: string, done: Done): void {
    this.db
      .query('DELETE FROM admin_sessions WHERE id_digest = $1', [digest(sessionId)])
      .then(() => done(), done);
  }
}
