// The layers of the code, bottom to top: a module may import from its own layer and the ones
// below, never from above (README's architecture). dependency-cruiser reads the real import graph.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cruise, type IForbiddenRuleType } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

/** Bottom first. Each entry is a folder under src/, or a file at its top. */
const LAYERS: string[][] = [
  [
    'problems',
    'clock',
    'client-rate-limiter',
    'suggest',
    'config',
    'tokens',
    'vendor',
    'content-types',
    'metrics',
    'data-dir',
    'log',
    'messages',
    'start-timeout',
  ],
  ['store', 'services'],
  ['list'],
  ['issue'],
  ['render'],
  ['subscribers'],
  ['outbound'],
  ['queue'],
  ['campaigns'],
  ['delivery'],
  ['inbound', 'web', 'health'],
  ['site', 'preview', 'admin'],
  ['cli'],
];

const pattern = (names: string[]) => `^src/(${names.map((n) => `${n}(/|\\.ts$)`).join('|')})`;

const layerRules: IForbiddenRuleType[] = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-import-up-from-${layer[0]}`,
  severity: 'error',
  from: { path: pattern(layer) },
  to: { path: pattern(LAYERS.slice(i + 1).flat()) },
}));

async function violations() {
  const result = await cruise(['src'], {
    validate: true,
    ruleSet: {
      forbidden: [
        ...layerRules,
        {
          name: 'no-sideways-between-mail-and-web',
          comment: 'what inbound mail and the web pages share lives below them',
          severity: 'error',
          from: { path: pattern(['inbound']) },
          to: { path: pattern(['web', 'health']) },
        },
        {
          name: 'no-sideways-between-web-and-mail',
          severity: 'error',
          from: { path: pattern(['web', 'health']) },
          to: { path: pattern(['inbound']) },
        },
        {
          name: 'no-unknown-folder',
          comment: 'every folder of src/ has its place in LAYERS',
          severity: 'error',
          from: {},
          to: { path: '^src/', pathNot: pattern(LAYERS.flat()) },
        },
        {
          name: 'no-circular',
          comment: 'a type naming its implementation back is no cycle at run time',
          severity: 'error',
          from: { path: '^src/' },
          to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
        },
        {
          name: 'no-dead-module',
          comment: 'a module nothing imports is an entry point or dead',
          severity: 'error',
          from: {
            orphan: true,
            pathNot: ['\\.d\\.ts$', '^src/cli/main\\.ts$', 'thread-main\\.ts$', '-entry\\.js$'],
          },
          to: {},
        },
      ],
    },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text');
  return result.output.summary.violations.map(
    (v) =>
      `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`,
  );
}

describe('the import graph', () => {
  it('runs downward only, without cycles or dead modules', async () => {
    expect(await violations()).toEqual([]);
  }, 60_000);
});

describe('the folders', () => {
  it('each say, at the top of one of their modules, what they own (`// src/<folder>…`)', () => {
    const folders = readdirSync('src', { withFileTypes: true }).filter((entry) => entry.isDirectory());
    const silent = folders
      .map((folder) => folder.name)
      .filter(
        (name) =>
          !readdirSync(join('src', name)).some(
            (file) =>
              file.endsWith('.ts') &&
              new RegExp(`^// src/${name}\\b`).test(readFileSync(join('src', name, file), 'utf8')),
          ),
      );
    expect(folders.length).toBeGreaterThan(10);
    expect(silent).toEqual([]);
  });
});
