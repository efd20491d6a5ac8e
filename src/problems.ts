// Errors are values: a stable code, where it happened, what happened and what to do.
// Loaders collect every problem of a file and report them together.

import { relative } from 'node:path';

export type Severity = 'error' | 'warning';

export interface Location {
  file: string;
  line?: number;
  column?: number;
}

export interface Problem {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  location?: Location;
}

export function error(code: string, message: string, hint?: string, location?: Location): Problem {
  return { code, severity: 'error', message, hint, location };
}

export function warning(code: string, message: string, hint?: string, location?: Location): Problem {
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

export function fail(code: string, message: string, hint?: string, location?: Location): never {
  throw new BulletinError(error(code, message, hint, location));
}
