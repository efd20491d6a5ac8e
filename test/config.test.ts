// The configuration as compose files and .env files write it.

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { BulletinError } from '../src/problems.ts';

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
