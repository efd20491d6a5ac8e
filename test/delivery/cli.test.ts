// The delivery commands as an operator runs them, each in its own process: publish (in-process
// workers, and --detach), publishing again, proof, pause, resume, cancel, status.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { runBulletin } from '../support/cli.ts';
import { type PostgresServer, startPostgres } from '../support/postgres.ts';
import { type FaultySink, startFaultySink } from '../support/smtp-faults.ts';
import {
  PUBLIC_URL,
  type RedisProcess,
  SECRET,
  seedSubscribers,
  startRedisProcess,
  testConfig,
} from './harness.ts';

let redis: RedisProcess;
let postgres: PostgresServer;
let sink: FaultySink;
let env: Record<string, string>;

beforeAll(async () => {
  [redis, postgres, sink] = await Promise.all([startRedisProcess(), startPostgres(), startFaultySink()]);
  const config = testConfig({
    redisUrl: redis.url,
    smtpUrl: sink.url,
    databaseUrl: await postgres.createDatabase(),
  });
  const db = openPostgres(config.databaseUrl as string);
  await migrate(db);
  await seedSubscribers(db, 'global-eye', 30);
  await seedSubscribers(db, 'trafficking-in-migrants', 40);
  await db.close();
  env = {
    BULLETIN_DATA_DIR: config.dataDir,
    DATABASE_URL: config.databaseUrl as string,
    REDIS_URL: redis.url,
    SMTP_URL: sink.url,
    BULLETIN_SECRET: SECRET,
    PUBLIC_URL,
    LOG_LEVEL: 'warn',
  };
});
afterAll(async () => {
  await Promise.all([sink?.close(), redis?.stop(), postgres?.stop()]);
});

const bulletin = (...args: string[]) => runBulletin(args, env);

describe('bulletin publish, proof, pause, resume, cancel, status', () => {
  it('runs a campaign from the command line', { timeout: 150_000 }, async () => {
    const [published, proof] = await Promise.all([
      bulletin('publish', 'issues/global-eye/005.md', '--batch-size', '10'),
      bulletin('proof', 'issues/global-eye/005.md', '--to', 'editor@example.org'),
    ]);
    expect(published.stdout).toContain('Campaign 1: 30 recipients in 3 batches.');
    expect(published.stdout).toMatch(/global-eye\/005 {2}done/);
    expect(published.stdout).toMatch(/sent {8}30/);
    expect(published.status).toBe(0);
    expect(proof.stdout).toContain('proof sent to editor@example.org');
    const proofMessage = sink.received.find((m) => m.to === 'editor@example.org')?.raw.toString() ?? '';
    expect(proofMessage).toMatch(/^Subject: \[Proof\] The Global Eye/m);
    expect(proofMessage).toMatch(/^Message-ID: <proof\.[0-9a-f-]{36}@example\.org>\r?$/m);
    expect(sink.received.filter((m) => m.to.endsWith('@example.net'))).toHaveLength(30);

    // (Detached only after the first publish is over: its in-process worker would help with any campaign.)
    const [again, detached] = await Promise.all([
      bulletin('publish', 'issues/global-eye/005.md'),
      bulletin('publish', 'issues/trafficking-in-migrants/025.md', '--detach', '--batch-size', '10'),
    ]);
    expect(again.stdout).toContain('Campaign 1 exists already (done); nobody is sent the issue twice.');
    expect(detached.stdout).toMatch(/trafficking-in-migrants\/025 {2}sending/);
    expect(detached.stdout).toContain('No worker is running: start `bulletin worker`');

    const paused = await bulletin('pause', 'trafficking-in-migrants/025');
    expect(paused.stdout).toMatch(/trafficking-in-migrants\/025 {2}paused \(paused by an operator\)/);

    const resumed = await bulletin('resume', 'trafficking-in-migrants/025', '--detach');
    expect(resumed.stdout).toMatch(/^Campaign \d+ resumed: 4 batch\(es\) queued\.$/m);
    expect(resumed.stdout).toContain('No worker is running: start `bulletin worker`');

    const [cancelled, status] = await Promise.all([
      bulletin('cancel', 'trafficking-in-migrants/025'),
      bulletin('status'),
    ]);
    expect(cancelled.stdout).toMatch(/cancelled/);
    expect(cancelled.stdout).toMatch(/skipped {5}40/);
    expect(status.stdout).toMatch(/global-eye\/005 +done +sent 30\/30/);
    // No worker ran for the second campaign: nobody on that list got anything.
    expect(sink.received.filter((m) => m.mailFrom.startsWith('trafficking'))).toHaveLength(0);
  });
});
