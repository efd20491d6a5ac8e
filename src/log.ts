// The one way a process makes its logger (pino). Structured JSON lines on stderr when stderr is
// not a terminal (a file, journald, Docker's log driver) or LOG_FORMAT=json; on a terminal, or with
// LOG_FORMAT=pretty, the same records as one human line each, which a command drawing a progress
// bar routes above the bar (cli/progress.ts) so a warning never lands inside it as raw JSON.

import pino, { type Logger } from 'pino';
import type { LogFormat } from './config.ts';

export interface LogSettings {
  logLevel: pino.LevelWithSilent;
  logFormat: LogFormat;
}

type LineWriter = (line: string) => void;

const toStderr: LineWriter = (line) => process.stderr.write(line);
let humanLines: LineWriter = toStderr;

/** Sends human log lines to `writer` (above a progress bar) until called again without one. */
export function routeHumanLogs(writer?: LineWriter): void {
  humanLines = writer ?? toStderr;
}

/** Whether logs are human lines: LOG_FORMAT=pretty, or auto and stderr is a terminal. */
export function logsAreHuman(format: LogFormat, stderr: { isTTY?: boolean } = process.stderr): boolean {
  return format === 'pretty' || (format === 'auto' && stderr.isTTY === true);
}

export function createLogger(settings: LogSettings): Logger {
  if (!logsAreHuman(settings.logFormat)) return pino({ level: settings.logLevel }, pino.destination(2));
  return pino(
    { level: settings.logLevel },
    { write: (json: string) => humanLines(`${formatLogRecord(JSON.parse(json) as LogRecord)}\n`) },
  );
}

type LogRecord = Record<string, unknown> & { level?: number; time?: number; msg?: string };

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
/** What pino adds to every record, which a person at the terminal already knows. */
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** `12:04:05 warn  Redis does not answer: work is paused until it does (err: connect ECONNREFUSED …)` */
export function formatLogRecord(record: LogRecord): string {
  const time = new Date(record.time ?? Date.now()).toTimeString().slice(0, 8);
  const level = (LEVELS[record.level ?? 30] ?? 'info').padEnd(5);
  const details = Object.entries(record)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}: ${detail(value)}`);
  const line = `${time} ${level} ${record.msg ?? ''}${details.length ? ` (${details.join(', ')})` : ''}`;
  return line.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** A value shown in one line: an error by its message (never its stack), objects compactly. */
function detail(value: unknown): string {
  if (value && typeof value === 'object' && 'message' in value) return String(value.message);
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}
