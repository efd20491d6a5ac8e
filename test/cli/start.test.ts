import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bulletin } from '../support/cli.ts';
import { tempDataDir } from '../support/data-dir.ts';

describe('npm start (bulletin start)', () => {
  it('builds the sample issue and delivers it once to the sample readers on embedded defaults', () => {
    const dataDir = tempDataDir();
    const env = { BULLETIN_DATA_DIR: dataDir.dir, REDIS_URL: '', DATABASE_URL: '', SMTP_URL: '' };
    const first = bulletin(['start'], { env, timeout: 180_000 });
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/global-eye-005\.pdf\s+[\d.]+ KiB/);
    expect(first.stdout).toContain('Campaign 1: 3 recipients in 1 batch.');

    const outbox = join(dataDir.dir, 'outbox');
    const messages = readdirSync(outbox).map((name) => readFileSync(join(outbox, name), 'utf8'));
    expect(messages.map((m) => /^To: (.*)$/m.exec(m)?.[1]).sort()).toEqual([
      'ana@example.org',
      'bao@example.org',
      'chidi@example.org',
    ]);
    for (const message of messages) {
      expect(message).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
      expect(message).toMatch(/^Return-Path: <globaleye\+bounce-[0-9a-z-]+@example\.org>$/m);
      expect(message).not.toContain('%%');
    }

    const second = bulletin(['start'], { env, timeout: 180_000 });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('exists already (done); nobody is sent the issue twice.');
    expect(readdirSync(outbox)).toHaveLength(3);
    dataDir.remove();
  }, 400_000);
});
