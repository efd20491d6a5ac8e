import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bulletin } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';

/** The processes whose command line names the data dir (its private PostgreSQL and redis-server). */
function servicesOf(dataDir: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(dataDir) && !line.startsWith('ps '));
}

describe('bulletin publish', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('starts the database and Redis while the issue loads, and stops them again when it does not load', () => {
    chmodSync(data.dir, 0o755); // under root, PostgreSQL runs as postgres and must reach its cluster
    const issues = join(data.dir, 'issues', 'global-eye');
    mkdirSync(issues, { recursive: true });
    writeFileSync(join(issues, 'publication.yml'), readFileSync('issues/global-eye/publication.yml'));
    writeFileSync(join(issues, '005.md'), '---\nnumber: 5\ntitle: Broken\n'); // front matter never closed

    const run = bulletin(['publish', join(issues, '005.md')], {
      env: { BULLETIN_DATA_DIR: join(data.dir, 'data'), LOG_LEVEL: 'warn' },
    });

    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/front matter is not closed/i);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // The services were started (the cluster exists), and the last user stopped them on the way out.
    expect(existsSync(join(data.dir, 'data', 'postgres', 'PG_VERSION')), run.stderr).toBe(true);
    expect(servicesOf(data.dir)).toEqual([]);
  });

  it('refuses a list with no confirmed reader in one line, records nothing, and sends once there are readers', () => {
    const env = { BULLETIN_DATA_DIR: join(data.dir, 'empty'), LOG_LEVEL: 'warn' };
    const first = bulletin(['publish', 'issues/global-eye/005.md'], { env });
    expect(first.status, first.stderr).toBe(1);
    const errors = first.stderr.split('\n').filter((line) => /\berror\b/.test(line));
    expect(errors).toEqual([
      expect.stringMatching(
        /^error no-readers: global-eye has no confirmed reader: no campaign was recorded/,
      ),
    ]);
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(
      bulletin(['subscribers', '--publication', 'global-eye', 'add', 'ann@example.org'], { env }).status,
    ).toBe(0);
    const second = bulletin(['publish', 'issues/global-eye/005.md'], { env });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Campaign \d+: 1 recipient in 1 batch/);
  }, 120_000);
});
