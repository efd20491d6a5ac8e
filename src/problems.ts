// Errors are values: a stable code, where it happened, what happened and what to do.
// Loaders collect every problem of a file and report them together. Every code, with its wording,
// is in the catalogue (src/problems/catalogue.ts): `problem('unknown-section', {…}, location)`.

import { relative } from 'node:path';
import {
  entryOf,
  type InlineCode,
  type ParamsOf,
  type ProblemCode,
  type Severity,
  type WordedCode,
} from './problems/catalogue.ts';

export type { ProblemCode, Severity } from './problems/catalogue.ts';

export interface Location {
  file: string;
  line?: number;
  column?: number;
}

export interface Problem {
  code: ProblemCode;
  severity: Severity;
  message: string;
  hint?: string;
  location?: Location;
}

/** A worded code's arguments: its details (none for a code that needs none), then where. */
export type ProblemArgs<C extends WordedCode> = [ParamsOf<C>] extends [undefined]
  ? [params?: undefined, location?: Location]
  : [params: ParamsOf<C>, location?: Location];

/** The problem `code` names, worded by the catalogue from `params`. */
export function problem<C extends WordedCode>(code: C, ...[params, location]: ProblemArgs<C>): Problem {
  const entry = entryOf(code);
  const message = entry.message?.(params) ?? code;
  const hint = entry.hint?.(params);
  return {
    code,
    severity: entry.severity,
    message,
    ...(hint === undefined ? {} : { hint }),
    ...(location === undefined ? {} : { location }),
  };
}

/** An error whose call site words it (codes not yet worded in the catalogue). */
export function error(
  code: InlineCode<'error'>,
  message: string,
  hint?: string,
  location?: Location,
): Problem {
  return { code, severity: 'error', message, hint, location };
}

/** A warning whose call site words it (codes not yet worded in the catalogue). */
export function warning(
  code: InlineCode<'warning'>,
  message: string,
  hint?: string,
  location?: Location,
): Problem {
  return { code, severity: 'warning', message, hint, location };
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** `issues/global-eye/005.md:12:1 error unknown-section: Unknown section "X". Use one of …` */
export function formatProblem(problem: Problem, cwd = process.cwd()): string {
  const where = problem.location
    ? `${relative(cwd, problem.location.file) || problem.location.file}${problem.location.line ? `:${problem.location.line}:${problem.location.column ?? 1}` : ''} `
    : '';
  const hint = problem.hint ? ` ${problem.hint}` : '';
  return `${where}${problem.severity} ${problem.code}: ${problem.message}${hint}`;
}

/** Thrown at the edges (CLI, server) to carry problems to the user as one-line messages. */
export class BulletinError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[] | Problem) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map((p) => formatProblem(p)).join('\n'));
    this.name = 'BulletinError';
    this.problems = list;
  }
}

/** Throws the problem `code` names, worded by the catalogue. */
export function fail<C extends WordedCode>(code: C, ...args: ProblemArgs<C>): never;
/** Throws an error whose call site words it (codes not yet worded in the catalogue). */
export function fail(code: InlineCode<'error'>, message: string, hint?: string, location?: Location): never;
export function fail(code: ProblemCode, ...args: unknown[]): never {
  const [first, ...rest] = args;
  if (typeof first === 'string') {
    const [hint, location] = rest as [string | undefined, Location | undefined];
    throw new BulletinError(error(code as InlineCode<'error'>, first, hint, location));
  }
  throw new BulletinError(problem(code as WordedCode, ...([first, rest[0]] as ProblemArgs<WordedCode>)));
}

/**
 * A state that should be impossible, reached anyway: a programming mistake or a store changed
 * under bulletin's feet, not something a user can fix by editing. It carries the `internal` code so
 * the CLI prints one line and the logs can alert on it; the detail says which invariant failed.
 */
export class InternalError extends BulletinError {
  constructor(detail: string) {
    super(
      error(
        'internal',
        `Internal error: ${detail}.`,
        'This is a bug in bulletin, or the store was changed by hand; report it with the log.',
      ),
    );
    this.name = 'InternalError';
  }
}
