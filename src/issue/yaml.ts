// YAML with positions, so that a schema failure can point at file:line:column.

import { type Document, isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Problem, problem } from '../problems.ts';

export interface LocatedYaml {
  value: unknown;
  problems: Problem[];
  /** Line and column (1-based, in the whole file) of the node at `path`, or of the closest parent. */
  locate(path: readonly PropertyKey[]): { line: number; column: number };
}

/** Parses `source`, which starts at line `firstLine` (1-based) of `file`. */
export function parseLocatedYaml(source: string, file: string, firstLine = 1): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line + firstLine - 1, column: pos.col };
  };
  const problems: Problem[] = [];
  const reportedLines = new Set<number>();
  for (const e of doc.errors) {
    // An over-indented line makes YAML read the line above as a multi-line key, and both errors
    // start on that line above: the mistake is on the line that follows it.
    const indented = e.code === 'MULTILINE_IMPLICIT_KEY';
    if (!indented && doc.errors.some((o) => o.code === 'MULTILINE_IMPLICIT_KEY' && o.pos[0] === e.pos[0]))
      continue;
    const where = indented ? indentedLine(source, e.pos[0], at) : at(e.pos[0]);
    if (reportedLines.has(where.line)) continue; // one mistake, one line: YAML often says more
    reportedLines.add(where.line);
    problems.push(
      indented
        ? problem('yaml-indentation', undefined, { file, ...where })
        : problem('yaml-syntax', { reason: e.message.split('\n')[0] ?? '' }, { file, ...where }),
    );
  }
  return {
    value: problems.length ? undefined : doc.toJS(),
    problems,
    locate(path) {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true) as
          | { range?: [number, number, number] }
          | undefined;
        if (node?.range) {
          // A key's value: point at the key, which is where an editor looks.
          const keyOffset = n > 0 ? keyOffsetOf(doc, path.slice(0, n)) : undefined;
          return at(keyOffset ?? node.range[0]);
        }
      }
      return { line: firstLine, column: 1 };
    },
  };
}

/** The first line after the one holding `offset`, at its first non-blank character. */
function indentedLine(
  source: string,
  offset: number,
  at: (offset: number) => { line: number; column: number },
): { line: number; column: number } {
  const next = source.indexOf('\n', offset);
  if (next < 0) return at(offset);
  const indent = /^[ \t]*/.exec(source.slice(next + 1))?.[0].length ?? 0;
  return at(next + 1 + indent);
}

function keyOffsetOf(doc: Document, path: readonly PropertyKey[]): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1) as unknown[], true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[path.length - 1]);
  return isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
}

/** One problem per failing field, each at its own line. */
export function schemaProblems(
  result: z.ZodSafeParseError<unknown>,
  yaml: LocatedYaml,
  file: string,
  hints: Record<string, string> = {},
): Problem[] {
  return result.error.issues.map((issue) => {
    const field = issue.path.join('.') || '(top level)';
    const hint = hints[String(issue.path[0])] ?? hints[field];
    return problem(
      'invalid-field',
      { field, reason: issue.message, hint },
      { file, ...yaml.locate(issue.path) },
    );
  });
}

/** Unknown keys are warnings, not errors: an editor's typo should not stop a build, but must be seen. */
export function unknownKeyWarnings(
  value: unknown,
  known: readonly string[],
  yaml: LocatedYaml,
  file: string,
  path: readonly PropertyKey[] = [],
): Problem[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) =>
      problem(
        'unknown-key',
        { path: [...path, key].join('.'), key, known },
        { file, ...yaml.locate([...path, key]) },
      ),
    );
}
