// A campaign's progress for the person who started it. On a terminal: a bar with one line of
// counts, and the process's log records as human lines above the bar (never raw JSON inside it).
// Off a terminal: no bar (nothing redrawn into a file); the logs are JSON and the campaign's
// summary follows when it ends. The line says when the SMTP server keeps failing (deferred count
// and the last answer) and shows an ETA only when there is a rate to base it on.

import { MultiBar, type SingleBar } from 'cli-progress';
import { routeHumanLogs } from '../log.ts';

export interface ProgressValues {
  recipients: number;
  sent: number;
  /** Failed and bounced: final, not sent. */
  failed: number;
  /** Still queued: waiting, being sent, or deferred. */
  remaining: number;
  /** Of the remaining, those whose last attempt was deferred (4xx, no connection), and why. */
  deferred: number;
  lastError?: string;
  /** Recipients finished per second since following began; 0 while nothing moves. */
  ratePerSecond: number;
}

/** `sent 450 | failed 3 | deferred 120 · last: 421 try later | remaining 550 | 12/s | ETA 46s` */
export function progressLine(v: ProgressValues): string {
  const parts = [`sent ${v.sent}`, `failed ${v.failed}`];
  if (v.deferred > 0)
    parts.push(`deferred ${v.deferred}${v.lastError ? ` · last: ${shortError(v.lastError)}` : ''}`);
  parts.push(`remaining ${v.remaining}`);
  const rate = Number.isFinite(v.ratePerSecond) && v.ratePerSecond > 0 ? v.ratePerSecond : 0;
  parts.push(`${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}/s`);
  parts.push(
    `ETA ${rate > 0 && v.remaining > 0 ? duration(v.remaining / rate) : v.remaining > 0 ? '–' : '0s'}`,
  );
  return parts.join(' | ');
}

/**
 * An SMTP answer or a connection error, short enough for the line: the reply code once, without
 * the enhanced status code, at most 40 characters. `421 421 4.7.0 Try again later` → `421 Try again later`.
 */
export function shortError(detail: string): string {
  const text = detail
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(\d{3}) \1\b/, '$1')
    .replace(/^(\d{3})[ -]\d\.\d{1,3}\.\d{1,3}\b/, '$1')
    .replace(/^connect /, '');
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** 46s, 3m 20s, 2h 05m. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export interface ProgressDisplay {
  update(values: ProgressValues): void;
  stop(): void;
}

/** A bar on `stream` when it is a terminal (log lines go above it meanwhile); else nothing drawn. */
export function progressDisplay(stream: NodeJS.WritableStream & { isTTY?: boolean }): ProgressDisplay {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bars = new MultiBar({
    stream,
    hideCursor: true,
    format: (options, params, payload: { line?: string }) => {
      const width = options.barsize ?? 30;
      const filled = Math.round(params.progress * width);
      return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.floor(params.progress * 100)}% | ${payload.line ?? ''}`;
    },
  });
  let bar: SingleBar | undefined;
  routeHumanLogs((line) => bars.log(line));
  return {
    update(values) {
      const done = values.recipients - values.remaining;
      const payload = { line: progressLine(values) };
      if (!bar) bar = bars.create(values.recipients, done, payload);
      else bar.update(done, payload);
    },
    stop() {
      routeHumanLogs();
      bars.stop();
    },
  };
}
