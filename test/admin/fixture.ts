// The admin as `bulletin serve` mounts it, on a real loopback port, against a real PostgreSQL and a
// real Redis: an editor and a publisher account, the environment's account, and the sections given.
//
//   const admin = await startAdmin({ sections: (deps) => [campaignsSection(deps)] });
//   const editor = await signIn(admin.base, EDITOR.name, EDITOR.password);
//   await admin.stop();

import pino from 'pino';
import { addAccount } from '../../src/admin/accounts.ts';
import { type AdminOptions, type AdminSection, adminRoutes } from '../../src/admin/index.ts';
import { type Clock, systemClock } from '../../src/clock.ts';
import type { RedisConnection } from '../../src/services/redis.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { type LiveServer, startHttp } from '../support/http.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { startRedis } from '../support/redis.ts';

export const EDITOR = { name: 'Eda', password: 'an editor at work 1' };
export const PUBLISHER = { name: 'pub', password: 'the publisher sends 2' };
/** BULLETIN_ADMIN_USER / BULLETIN_ADMIN_PASSWORD, as compose sets them. */
export const ENVIRONMENT = { name: 'admin', password: 'from the environment 3' };
export const SECRET = Buffer.from('an installation secret of enough length, for tests');

export interface SectionDeps {
  db: Db;
  connection: RedisConnection;
  log: pino.Logger;
  clock: Clock;
}

export interface AdminFixture extends SectionDeps {
  server: LiveServer;
  base: string;
  stop(): Promise<void>;
}

export async function startAdmin(
  options: {
    sections?: (deps: SectionDeps) => AdminSection[];
    publicUrl?: string;
    trustProxy?: boolean;
  } & Partial<Pick<AdminOptions, 'loginLimits' | 'requestsPerMinute'>> = {},
): Promise<AdminFixture> {
  const [postgres, redis]: [PostgresServer, Awaited<ReturnType<typeof startRedis>>] = await Promise.all([
    startPostgres(),
    startRedis(),
  ]);
  const db = openPostgres(await postgres.createDatabase());
  await migrate(db);
  await addAccount(db, { ...EDITOR, role: 'editor' });
  await addAccount(db, { ...PUBLISHER, role: 'publisher' });
  const deps: SectionDeps = {
    db,
    connection: redis.connection,
    log: pino({ level: 'silent' }),
    clock: systemClock,
  };
  const server = await startHttp({
    routes: [
      adminRoutes({
        db,
        installationSecret: SECRET,
        environmentAccount: ENVIRONMENT,
        publicUrl: options.publicUrl ?? 'http://127.0.0.1',
        connection: redis.connection,
        sections: options.sections?.(deps) ?? [],
        loginLimits: options.loginLimits,
        requestsPerMinute: options.requestsPerMinute,
      }),
    ],
    logger: false,
    trustProxy: options.trustProxy,
  });
  return {
    ...deps,
    server,
    base: server.base,
    async stop() {
      await server.close();
      await db.close();
      await Promise.all([redis.stop(), postgres.stop()]);
    },
  };
}
