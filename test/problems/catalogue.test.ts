import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, catalogueMarkdown } from '../../src/problems/catalogue.ts';
import { BulletinError, fail, formatProblem, InternalError, problem } from '../../src/problems.ts';

describe('the error catalogue', () => {
  it('is what docs/errors.md lists (run `npm run docs` after changing it)', () => {
    const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(docs).toBe(catalogueMarkdown());
  });

  it('names each situation once: codes are kebab-case and no two describe the same situation', () => {
    const entries = Object.entries(CATALOGUE);
    for (const [code] of entries) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
    const situations = entries.map(([, entry]) => entry.when);
    expect(new Set(situations).size).toBe(situations.length);
  });

  it('words a problem from its details: the message says what happened, the hint what to do', () => {
    const p = problem(
      'unknown-section',
      { name: 'Editorial', declared: ['Feature', 'Editorials'] },
      {
        file: '/x/006.md',
        line: 14,
        column: 1,
      },
    );
    expect(p.severity).toBe('error');
    expect(formatProblem(p, '/x')).toBe(
      '006.md:14:1 error unknown-section: Unknown section "Editorial". Did you mean "Editorials"? Use one of: Feature, Editorials (declared in publication.yml).',
    );
    expect(problem('rule').severity).toBe('warning');
  });

  it('throws catalogued problems as one-line errors', () => {
    expect(() => fail('bad-port', { port: 'x' })).toThrow(BulletinError);
    expect(() => fail('bad-port', { port: 'x' })).toThrow(
      'error bad-port: --port x is not a port number. Give a number from 1 to 65535, e.g. --port 4000.',
    );
  });

  it('gives a broken invariant a code of its own', () => {
    const err = new InternalError('campaign 7 vanished');
    expect(err).toBeInstanceOf(BulletinError);
    expect(err.problems.map((p) => p.code)).toEqual(['internal']);
    expect(err.message).toMatch(/^error internal: Internal error: campaign 7 vanished\./);
  });

  it('lets no unknown code, nor a worded code without its details, compile', () => {
    // @ts-expect-error: not in the catalogue
    expect(() => problem('no-such-code')).toThrow();
    // @ts-expect-error: unknown-section needs the name and the declared sections
    expect(() => problem('unknown-section')).toThrow();
  });

  it('holds no code that nothing reports (bin/bulletin.js words `no-build` itself)', () => {
    const src = new URL('../../src/', import.meta.url).pathname;
    const sources = (readdirSync(src, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts') && !file.endsWith('catalogue.ts'))
      .map((file) => readFileSync(join(src, file), 'utf8'));
    sources.push(readFileSync(new URL('../../bin/bulletin.js', import.meta.url), 'utf8'));
    const text = sources.join('\n');
    const unused = Object.keys(CATALOGUE).filter(
      (code) => !text.includes(`'${code}'`) && !text.includes(`error ${code}:`),
    );
    expect(unused).toEqual([]);
  });
});
