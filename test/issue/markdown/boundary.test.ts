import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../../src/', import.meta.url).pathname;

describe('src/issue/markdown/', () => {
  it('is the only place that imports markdown-it or its plugins', () => {
    const importers = (readdirSync(SRC, { recursive: true }) as string[])
      .filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))
      .filter((file) => /from 'markdown-it[^']*'/.test(readFileSync(join(SRC, file), 'utf8')));
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((file) => !file.startsWith('issue/markdown/'))).toEqual([]);
  });
});
