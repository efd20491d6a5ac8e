// Configuration is read from the environment once, here, and passed down. No other module reads
// process.env.

import { resolve } from 'node:path';
import { z } from 'zod';
import { BulletinError, type ProblemCode, problem } from './problems.ts';

/** How log records are written (src/log.ts): pretty on a terminal and JSON elsewhere, or always one. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const optionalUrl = (protocols: RegExp) =>
  z
    .string()
    .trim()
    .optional()
    .transform((s) => s || undefined)
    .pipe(z.url({ protocol: protocols }).optional());

export const configSchema = z.object({
  /** All state: embedded database, private Redis, outbox, published editions. */
  BULLETIN_DATA_DIR: z.string().default('.data'),
  /** Where the web edition is served; the base of every link in mail. */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .default('http://127.0.0.1:3000')
    .transform((s) => s.replace(/\/+$/, '')),
  /** postgres://… for a PostgreSQL server; unset: a private PostgreSQL server in the data directory. */
  DATABASE_URL: optionalUrl(/^postgres(ql)?$/),
  /** redis://… ; unset: a private redis-server started from PATH. */
  REDIS_URL: optionalUrl(/^rediss?$/),
  /** smtp://… or smtps://… ; unset: messages are written as .eml files to <data dir>/outbox/. */
  SMTP_URL: optionalUrl(/^smtps?$/),
  /** PEM files: `bulletin serve` offers STARTTLS with them (when it is the MX). */
  SMTP_TLS_CERT: z.string().min(1).optional(),
  SMTP_TLS_KEY: z.string().min(1).optional(),
  /** imaps://user:password@host/INBOX: `bulletin serve` also polls this mailbox (list address at a provider). */
  IMAP_URL: optionalUrl(/^imaps?$/),
  /** Where handled IMAP messages are moved. */
  IMAP_PROCESSED_FOLDER: z.string().min(1).default('Processed'),
  IMAP_POLL_SECONDS: z.coerce.number().int().min(5).default(60),
  /** Signs confirmation and unsubscribe tokens. Unset: a random one is kept in the data directory. */
  BULLETIN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Password of the admin pages (queue dashboard). Unset: the admin pages are off. */
  BULLETIN_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /** User name of the admin pages. */
  BULLETIN_ADMIN_USER: z.string().trim().min(1).max(100).default('admin'),
  /** "true" when `bulletin serve` is behind a reverse proxy: client IPs (consent records) come from X-Forwarded-For. */
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json: pino's JSON lines on stderr; pretty: one human line per record; auto: pretty on a terminal. */
  LOG_FORMAT: z.enum(LOG_FORMATS).default('auto'),
  /** host:port of a worker's /healthz and /readyz listener (`bulletin worker --health`). Unset: none. */
  HEALTH_LISTEN: z.string().trim().min(1).optional(),
  /** Bearer token /metrics asks for (on serve's HTTP port and the worker's health listener). Unset: open. */
  METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
});

export interface Config {
  dataDir: string;
  publicUrl: string;
  databaseUrl?: string;
  redisUrl?: string;
  smtpUrl?: string;
  imap?: { url: string; processedFolder: string; pollSeconds: number };
  /** Paths of the PEM certificate and key for the list server's STARTTLS. */
  smtpTls?: { certFile: string; keyFile: string };
  secret?: string;
  adminPassword?: string;
  adminUser: string;
  trustProxy: boolean;
  logLevel: z.infer<typeof configSchema>['LOG_LEVEL'];
  logFormat: LogFormat;
  healthListen?: string;
  metricsToken?: string;
}

/** What went wrong with a variable, as a catalogue code: an alert or a test can tell them apart. */
function configProblemCode(issue: z.core.$ZodIssue): ProblemCode & `config-${string}` {
  switch (issue.code) {
    case 'invalid_format':
      return 'config-not-url'; // the only formats checked are URLs
    case 'invalid_value':
      return 'config-not-a-choice';
    case 'too_small':
      return issue.origin === 'string' ? 'config-too-short' : 'config-not-a-number';
    case 'too_big':
      return issue.origin === 'string' ? 'config-too-long' : 'config-not-a-number';
    default:
      return 'config-not-a-number'; // invalid_type: a number variable that does not parse as one
  }
}

export function loadConfig(
  env: Record<string, string | undefined>,
  overrides: { dataDir?: string } = {},
): Config {
  // An empty variable is an unset one: compose files and .env files write `NAME=` for "not used".
  const parsed = configSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== '')),
  );
  if (!parsed.success) {
    throw new BulletinError(
      parsed.error.issues.map((issue) =>
        problem(configProblemCode(issue), { variable: issue.path.join('.'), reason: issue.message }),
      ),
    );
  }
  const c = parsed.data;
  return {
    dataDir: resolve(overrides.dataDir ?? c.BULLETIN_DATA_DIR),
    publicUrl: c.PUBLIC_URL,
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    smtpUrl: c.SMTP_URL,
    smtpTls:
      c.SMTP_TLS_CERT && c.SMTP_TLS_KEY ? { certFile: c.SMTP_TLS_CERT, keyFile: c.SMTP_TLS_KEY } : undefined,
    imap: c.IMAP_URL
      ? { url: c.IMAP_URL, processedFolder: c.IMAP_PROCESSED_FOLDER, pollSeconds: c.IMAP_POLL_SECONDS }
      : undefined,
    secret: c.BULLETIN_SECRET,
    adminPassword: c.BULLETIN_ADMIN_PASSWORD,
    adminUser: c.BULLETIN_ADMIN_USER,
    trustProxy: c.TRUST_PROXY === 'true',
    logLevel: c.LOG_LEVEL,
    logFormat: c.LOG_FORMAT,
    healthListen: c.HEALTH_LISTEN,
    metricsToken: c.METRICS_TOKEN,
  };
}
