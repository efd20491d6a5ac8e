// The configuration as compose files and .env files write it.

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { BulletinError } from '../src/problems.ts';

function codesOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof BulletinError) return err.problems.map((p) => `${p.code} ${p.message}`);
    throw err;
  }
  return [];
}

describe('configuration problems', () => {
  it('has a code for each way a variable can be wrong, naming the variable', () => {
    expect(codesOf({ PUBLIC_URL: 'bulletin.example.org' })).toEqual([
      'config-not-url PUBLIC_URL: Invalid URL.',
    ]);
    expect(codesOf({ DATABASE_URL: 'mysql://db.example.org/x' })[0]).toMatch(/^config-not-url DATABASE_URL:/);
    expect(codesOf({ BULLETIN_SECRET: 'short' })).toEqual([
      'config-too-short BULLETIN_SECRET: must be at least 32 characters.',
    ]);
    expect(codesOf({ BULLETIN_ADMIN_USER: 'a'.repeat(101) })[0]).toMatch(
      /^config-too-long BULLETIN_ADMIN_USER:/,
    );
    expect(codesOf({ IMAP_POLL_SECONDS: 'soon' })[0]).toMatch(/^config-not-a-number IMAP_POLL_SECONDS:/);
    expect(codesOf({ IMAP_POLL_SECONDS: '2' })[0]).toMatch(/^config-not-a-number IMAP_POLL_SECONDS:/);
    expect(codesOf({ LOG_LEVEL: 'loud' })[0]).toMatch(/^config-not-a-choice LOG_LEVEL:/);
  });

  it('reports every wrong variable at once, and accepts the defaults', () => {
    expect(codesOf({ PUBLIC_URL: 'x', TRUST_PROXY: 'yes' }).map((line) => line.split(' ')[0])).toEqual([
      'config-not-url',
      'config-not-a-choice',
    ]);
    expect(codesOf({})).toEqual([]);
  });
});

describe('loadConfig', () => {
  it('takes an empty variable for an unset one (compose writes `NAME: ""` for "not used")', () => {
    const config = loadConfig({
      BULLETIN_ADMIN_PASSWORD: '',
      SMTP_TLS_CERT: '',
      SMTP_TLS_KEY: ' ',
      SMTP_URL: '',
      BULLETIN_SECRET: '',
      HEALTH_LISTEN: '',
      LOG_LEVEL: '',
    });
    expect(config.adminPassword).toBeUndefined();
    expect(config.smtpTls).toBeUndefined();
    expect(config.smtpUrl).toBeUndefined();
    expect(config.secret).toBeUndefined();
    expect(config.healthListen).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('still refuses a value that is set and wrong', () => {
    expect(() => loadConfig({ BULLETIN_ADMIN_PASSWORD: 'short' })).toThrow(BulletinError);
    expect(() => loadConfig({ BULLETIN_SECRET: 'x'.repeat(10) })).toThrow(BulletinError);
  });

  it('reads the worker health listener', () => {
    expect(loadConfig({ HEALTH_LISTEN: '0.0.0.0:8080' }).healthListen).toBe('0.0.0.0:8080');
  });
});
