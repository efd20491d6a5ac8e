// The preview's builder on a copy of issue 005: good builds replace the editions, bad ones report
// their problems and keep the last good editions, the PDF follows from its own thread.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreviewBuilder, type PreviewState } from '../../src/preview/builder.ts';

let dir: string;
let file: string;
let publication: string;
let builder: PreviewBuilder;
const logged: string[] = [];

/** Resolves with the first state, now or later, that passes `test`. */
function stateWhere(test: (state: PreviewState) => boolean): Promise<PreviewState> {
  const now = builder.state();
  if (test(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const stop = builder.onChange((state) => {
      if (!test(state)) return;
      stop();
      resolve(state);
    });
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulletin-builder-'));
  cpSync('issues/global-eye', join(dir, 'global-eye'), { recursive: true });
  file = join(dir, 'global-eye', '005.md');
  publication = join(dir, 'global-eye', 'publication.yml');
  builder = new PreviewBuilder({ file, publicUrl: 'https://news.example.org', log: (l) => logged.push(l) });
});

afterAll(async () => {
  await builder.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the preview builder', () => {
  it('builds the email, text and web editions, then the PDF of the same build', async () => {
    await builder.rebuild();
    const built = builder.state();
    expect(built.problems).toEqual([]);
    expect(built.editions?.title).toBe('Straddling the Border: Drug Mules and Human Trafficking');
    expect(builder.editions?.html).toContain('%%unsubscribe_url%%'); // filled per request
    expect(builder.editions?.text).toContain('Norway Extends Reflection Period');
    expect(builder.editions?.web).toContain('Norway Extends Reflection Period');
    expect([...(builder.editions?.images.keys() ?? [])]).toContain('images/olga-heaven.png');
    const withPdf = await stateWhere(
      (s) => s.pdf?.generation === built.editions?.generation && !s.pdfPending,
    );
    expect(withPdf.pdf?.ms).toBeGreaterThan(0);
    expect(builder.pdfFile?.subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);

  it('keeps the last good editions when publication.yml breaks, and says where', async () => {
    const good = builder.state().editions;
    const yml = readFileSync(publication, 'utf8');
    writeFileSync(
      publication,
      yml.replace('list_address: globaleye@example.org', 'list_address: not an address'),
    );
    await builder.rebuild();
    const state = builder.state();
    expect(state.editions).toEqual(good);
    const problem = state.problems.find((p) => p.severity === 'error');
    expect(problem?.where).toMatch(/publication\.yml:3:\d+$/);
    expect(problem?.hint).toContain('list address');
    expect(logged.some((line) => line.includes('publication.yml:3'))).toBe(true);
    writeFileSync(publication, yml);
    await builder.rebuild();
    expect(builder.state().problems).toEqual([]);
    expect(builder.state().editions?.generation).toBeGreaterThan(good?.generation ?? 0);
  }, 60_000);

  it('reports a PDF that cannot be made, while the other editions are up to date', async () => {
    const image = join(dir, 'global-eye', 'images', 'olga-heaven.png');
    const png = readFileSync(image);
    writeFileSync(image, 'not a picture');
    await builder.rebuild();
    const generation = builder.state().editions?.generation;
    const failed = await stateWhere((s) => s.problems.some((p) => p.code === 'pdf'));
    expect(failed.editions?.generation).toBe(generation);
    expect(failed.problems.find((p) => p.code === 'pdf')?.message).toMatch(/PDF edition could not be made/);
    writeFileSync(image, png);
    await builder.rebuild();
    const healed = await stateWhere(
      (s) => (s.pdf?.generation ?? 0) >= (s.editions?.generation ?? 0) && !s.pdfPending,
    );
    expect(healed.problems).toEqual([]);
  }, 60_000);

  it('reports a file that is not there instead of failing', async () => {
    const text = readFileSync(file, 'utf8');
    rmSync(file);
    await builder.rebuild();
    expect(builder.state().problems.map((p) => p.code)).toEqual(['issue-not-found']);
    expect(builder.editions?.web).toContain('Norway Extends Reflection Period');
    writeFileSync(file, text);
  });

  it('runs saves that arrive during a build as one more build, not one each', async () => {
    const before = builder.state().attempt;
    await Promise.all([builder.rebuild(), builder.rebuild(), builder.rebuild(), builder.rebuild()]);
    expect(builder.state().attempt - before).toBe(2);
    expect(builder.state().problems).toEqual([]);
  }, 60_000);
});
