// src/health owns what a process says about itself to whoever runs it (Docker's HEALTHCHECK, a
// load balancer, an orchestrator, the person on call): /healthz, "this process is up", and
// /readyz, "its database, Redis and SMTP server answer", on `serve`'s HTTP server or on a
// worker's own small listener (http.ts).
//
// Checks are single-flight and briefly cached, so probing /readyz in a loop costs the
// dependencies one query per second at most (and the SMTP server one connection per half minute);
// a check that hangs is reported after a bound and not started again until it settles. The
// answer names what failed and how (an error code), never where: hosts and credentials stay in
// the log, which gets one line when a dependency goes down and one when it is back.

import { Redis, type RedisOptions } from 'ioredis';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Queryable } from '../store/db.ts';

export const DEPENDENCIES = ['database', 'redis', 'smtp'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

export const checkSchema = z.object({
  ok: z.boolean(),
  /** How long the check took (or how long it was waited for). */
  ms: z.number().int().nonnegative(),
  /** Why it failed: an error code such as ECONNREFUSED, or "no answer within 3 s". */
  error: z.string().optional(),
});
export type CheckResult = z.infer<typeof checkSchema>;

/** The body of /readyz: 200 when `status` is ready, 503 otherwise. */
export const readinessSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.partialRecord(z.enum(DEPENDENCIES), checkSchema),
  failed: z.array(z.enum(DEPENDENCIES)),
});
export type Readiness = z.infer<typeof readinessSchema>;

/** The body of /healthz: the process is up and its event loop turns. */
export const livenessSchema = z.object({ status: z.literal('ok') });

export interface ReadinessProbe {
  check(): Promise<Readiness>;
  close(): Promise<void>;
}

export interface ReadinessOptions {
  db: Queryable;
  /** Where Redis is ({url} or the private server's {path}), or a client to duplicate. */
  redis: { url: string } | { path: string } | Redis;
  /** Checked only when set (unset: mail goes to the outbox directory). */
  smtpUrl?: string;
  timeoutMs?: number;
  log?: { warn(object: object, message: string): void; info(object: object, message: string): void };
}

const DEFAULT_TIMEOUT_MS = 3_000;
/** How long a result is reused: an SMTP check opens a connection and logs in. */
const FRESH_MS: Record<Dependency, number> = { database: 1_000, redis: 1_000, smtp: 30_000 };

/** What a failure is called in the answer: its code, not its message (which names hosts). */
function reason(err: unknown): string {
  // nodemailer calls every socket error ESOCKET; Node's own code (ECONNREFUSED…) leads its message.
  const system =
    err instanceof Error ? /^(?:connect|getaddrinfo|read|write) (E[A-Z]+)\b/.exec(err.message) : null;
  if (system?.[1]) return system[1];
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[\w.-]{1,40}$/.test(code)) return code;
  return err instanceof Error ? err.name : 'error';
}

class Check {
  private last?: { result: CheckResult; at: number };
  private running?: Promise<CheckResult>;
  /** The probe itself, which may outlive a timed-out check; no second one starts meanwhile. */
  private pending?: Promise<unknown>;

  constructor(
    private readonly name: Dependency,
    private readonly probe: () => Promise<unknown>,
    private readonly timeoutMs: number,
    private readonly log: ReadinessOptions['log'],
  ) {}

  get(): Promise<CheckResult> {
    if (this.last && Date.now() - this.last.at < FRESH_MS[this.name])
      return Promise.resolve(this.last.result);
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<CheckResult> {
    const started = performance.now();
    let failure: unknown;
    let detail: unknown;
    if (this.pending) {
      failure = `no answer within ${this.timeoutMs / 1000} s`;
    } else {
      const probe = this.probe();
      this.pending = probe;
      probe.then(
        () => {
          if (this.pending === probe) this.pending = undefined;
        },
        () => {
          if (this.pending === probe) this.pending = undefined;
        },
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      });
      try {
        if ((await Promise.race([probe, timeout])) === 'timeout')
          failure = `no answer within ${this.timeoutMs / 1000} s`;
      } catch (err) {
        failure = reason(err);
        detail = err instanceof Error ? err.message : String(err);
      } finally {
        clearTimeout(timer);
      }
    }
    const ms = Math.round(performance.now() - started);
    const result: CheckResult =
      failure === undefined ? { ok: true, ms } : { ok: false, ms, error: String(failure) };
    const wasOk = this.last?.result.ok ?? true;
    if (wasOk && !result.ok)
      this.log?.warn(
        { dependency: this.name, error: result.error, detail },
        `${this.name} is not reachable: not ready`,
      );
    else if (!wasOk && result.ok) this.log?.info({ dependency: this.name }, `${this.name} answers again`);
    this.last = { result, at: Date.now() };
    return result;
  }
}

/** A client of its own, so a check never waits behind BullMQ's blocking commands. */
function redisClient(source: ReadinessOptions['redis'], timeoutMs: number): Redis {
  const options: RedisOptions = {
    // A command given while disconnected fails at the next reconnection attempt instead of
    // waiting for Redis: one check in flight at a time (above) keeps that queue to one.
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: true,
  };
  if (source instanceof Redis) return source.duplicate(options);
  return 'url' in source ? new Redis(source.url, options) : new Redis({ path: source.path, ...options });
}

export function createReadinessProbe(options: ReadinessOptions): ReadinessProbe {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const redis = redisClient(options.redis, timeoutMs);
  // Failures are reported by the checks; the client's own error events would only repeat them.
  redis.on('error', () => {});
  const smtpUrl = options.smtpUrl;
  const checks: [Dependency, Check][] = [
    ['database', new Check('database', () => options.db.query('SELECT 1'), timeoutMs, options.log)],
    ['redis', new Check('redis', () => redis.ping(), timeoutMs, options.log)],
  ];
  if (smtpUrl) {
    const smtp = async () => {
      const transport = nodemailer.createTransport({
        url: smtpUrl,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      try {
        // Connects, says EHLO, starts TLS when offered and logs in: what sending needs.
        await transport.verify();
      } finally {
        transport.close();
      }
    };
    checks.push(['smtp', new Check('smtp', smtp, timeoutMs, options.log)]);
  }
  return {
    async check() {
      const results = await Promise.all(
        checks.map(async ([name, check]) => [name, await check.get()] as const),
      );
      const failed = results.filter(([, result]) => !result.ok).map(([name]) => name);
      return {
        status: failed.length ? 'unavailable' : 'ready',
        checks: Object.fromEntries(results),
        failed,
      };
    },
    async close() {
      redis.disconnect();
    },
  };
}
