// How soon `bulletin preview` shows a save of issue 005: the real command in a child process, a copy
// of the issue edited on disk, the time from the write to the server-sent event that announces the
// rebuilt editions (email, text, web), and to the one that announces the PDF.
// The baseline, measured in the same run in this process: loading the issue, and loading it and
// rendering the same three editions directly, with no watching, no server and no events. Their
// ratio is what watching, debouncing and telling the page add.
//
//   npm run bench:preview            BENCH_RUNS=20 npm run bench:preview
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIssue } from '../src/issue/load.ts';
import type { PreviewState } from '../src/preview/index.ts';
import { renderEmail } from '../src/render/email/index.ts';
import { renderText } from '../src/render/text/index.ts';
import { renderWeb } from '../src/render/web/index.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const ISSUE = 'issues/global-eye/005.md';
const TITLE = '## Norway Extends Reflection Period for Victims of Human Trafficking';
const EDITIONS_TARGET_MS = 300;
const PDF_TARGET_MS = 1500;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

function summary(values: number[]): string[] {
  return [median(values), Math.max(...values)].map((v) => v.toFixed(0));
}

async function baseline(): Promise<{ load: number[]; render: number[]; cpu: number[] }> {
  const load: number[] = [];
  const render: number[] = [];
  const cpu: number[] = [];
  for (let i = -2; i < RUNS; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const { issue } = loadIssue(ISSUE);
    const loaded = performance.now();
    if (!issue) throw new Error(`${ISSUE} does not load`);
    await renderEmail(issue);
    renderText(issue);
    renderWeb(issue);
    if (i < 0) continue; // warm-up
    load.push(loaded - start);
    render.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  return { load, render, cpu };
}

/** The preview's events, as the page receives them. */
class Events {
  private waiters: Array<{ test: (s: PreviewState) => boolean; done: (s: PreviewState) => void }> = [];
  latest: PreviewState | undefined;

  async connect(url: string): Promise<void> {
    const response = await fetch(`${url}events`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (data) this.receive(JSON.parse(data[1] as string) as PreviewState);
          end = buffer.indexOf('\n\n');
        }
      }
    })();
  }

  /** Resolves with the time the first state passing `test` arrived. */
  when(test: (s: PreviewState) => boolean, timeoutMs = 30_000): Promise<number> {
    if (this.latest && test(this.latest)) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such event from the preview')), timeoutMs);
      this.waiters.push({
        test,
        done: () => {
          clearTimeout(timer);
          resolve(performance.now());
        },
      });
    });
  }

  private receive(state: PreviewState): void {
    this.latest = state;
    const ready = this.waiters.filter((w) => w.test(state));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.done(state);
  }
}

async function startPreview(file: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bin/bulletin.js', 'preview', file, '--port', '0'], {
    env: { ...process.env, BULLETIN_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (found) resolve(found[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`preview exited with ${code}`)));
  });
  return { child, url };
}

const base = await baseline();
const dir = mkdtempSync(join(tmpdir(), 'bulletin-bench-preview-'));
cpSync('issues/global-eye', join(dir, 'global-eye'), { recursive: true });
const file = join(dir, 'global-eye', '005.md');
const original = readFileSync(file, 'utf8');
const { child, url } = await startPreview(file, join(dir, 'data'));
try {
  const events = new Events();
  await events.connect(url);
  await events.when((s) => (s.pdf?.generation ?? 0) >= 1, 60_000); // the first PDF reads the fonts

  let saves = 0;
  /** Saves a new title; resolves with the times until the editions, and the PDF, were announced. */
  const save = async (): Promise<{ editions: number; pdf: Promise<number>; marker: string }> => {
    const marker = `Bench ${++saves}`;
    const attempt = events.latest?.attempt ?? 0;
    const start = performance.now();
    writeFileSync(file, original.replace(TITLE, `## Norway Extends Reflection Period ${marker}`));
    const built = await events.when((s) => s.attempt > attempt && (s.editions?.generation ?? 0) > attempt);
    const generation = events.latest?.editions?.generation ?? 0;
    const pdf = events.when((s) => (s.pdf?.generation ?? 0) >= generation).then((t) => t - start);
    return { editions: built - start, pdf, marker };
  };

  const editions: number[] = [];
  const pdfs: number[] = [];
  for (let i = -2; i < RUNS; i++) {
    const result = await save();
    const pdf = await result.pdf;
    const email = await (await fetch(`${url}email.html`)).text();
    if (!email.includes(result.marker)) throw new Error('the rebuilt email does not show the save');
    if (i < 0) continue; // warm-up
    editions.push(result.editions);
    pdfs.push(pdf);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  // A save while the PDF of the previous one is being made: the PDF has its own thread.
  const during: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const first = await save();
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (!events.latest?.pdfPending) continue; // the PDF was already done: not this case
    const second = await save();
    during.push(second.editions);
    await second.pdf;
    await first.pdf;
  }

  const loadMedian = median(base.load);
  const renderMedian = median(base.render);
  const rows = [
    ['measure', 'median ms', 'max ms', 'target ms', '× load', '× load+render'],
    ['baseline: load the issue', ...summary(base.load), '', '1.0', ''],
    [
      'baseline: load + email, text, web',
      ...summary(base.render),
      '',
      (renderMedian / loadMedian).toFixed(1),
      '1.0',
    ],
    [
      'save → editions announced',
      ...summary(editions),
      String(EDITIONS_TARGET_MS),
      (median(editions) / loadMedian).toFixed(1),
      (median(editions) / renderMedian).toFixed(1),
    ],
    [
      'save during a PDF → editions',
      ...(during.length ? summary(during) : ['–', '–']),
      String(EDITIONS_TARGET_MS),
      during.length ? (median(during) / loadMedian).toFixed(1) : '–',
      during.length ? (median(during) / renderMedian).toFixed(1) : '–',
    ],
    [
      'save → PDF announced',
      ...summary(pdfs),
      String(PDF_TARGET_MS),
      (median(pdfs) / loadMedian).toFixed(1),
      (median(pdfs) / renderMedian).toFixed(1),
    ],
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  console.log(`bulletin preview, ${ISSUE}: ${RUNS} saves after 2 warm-up saves (wall clock)`);
  // On a shared machine the wall clock stretches: the baseline's CPU time says by how much.
  console.log(
    `load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores; baseline load + render: ${median(base.cpu).toFixed(0)} ms of CPU, ${renderMedian.toFixed(0)} ms of wall clock`,
  );
  for (const row of rows) {
    console.log(
      row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '),
    );
  }
  const over = [
    Math.max(...editions, ...during) > EDITIONS_TARGET_MS ? 'editions over 300 ms' : '',
    Math.max(...pdfs) > PDF_TARGET_MS ? 'PDF over 1.5 s' : '',
  ].filter(Boolean);
  console.log(
    over.length ? `Targets missed: ${over.join(', ')}.` : 'Targets met: editions ≤ 300 ms, PDF ≤ 1.5 s.',
  );
} finally {
  child.kill('SIGINT');
  await new Promise((resolve) => child.on('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
