// YAML with positions, so that a schema failure can point at file:line:column.

import { type Document, isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { error, type Problem, warning } from '../problems.ts';

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
  const problems: Problem[] = doc.errors.map((e) =>
    error(
      'yaml-syntax',
      `${e.message.split('\n')[0]}`,
      'Check the indentation and quote values that contain a colon.',
      { file, ...at(e.pos[0]) },
    ),
  );
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
    return error('invalid-field', `${field}: ${issue.message}.`, hint, { file, ...yaml.locate(issue.path) });
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
      warning(
        'unknown-key',
        `Unknown key "${[...path, key].join('.')}" is ignored.`,
        `Known keys: ${known.join(', ')}.`,
        { file, ...yaml.locate([...path, key]) },
      ),
    );
}
