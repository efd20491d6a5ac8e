// Build time of each edition (email HTML, plain text, PDF) of the sample issues, once modules are
// loaded: a warm-up build, then N builds (BENCH_RUNS, default 10) timed on the wall clock and in CPU.
// The baseline, measured in the same run, is a bare pdfkit document holding the plain-text edition in
// one column with pdfkit's own wrapping: what the PDF's layout adds is the ratio to it.
//
//   npm run bench            BENCH_RUNS=30 npm run bench
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { loadIssue } from '../src/issue/load.ts';
import type { Issue } from '../src/issue/model.ts';
import { renderEmail } from '../src/render/email/index.ts';
import { renderPdf } from '../src/render/pdf/index.ts';
import { renderText } from '../src/render/text/index.ts';
import { renderWeb } from '../src/render/web/index.ts';

const ISSUES = ['issues/global-eye/005.md', 'issues/trafficking-in-migrants/025.md'];
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const PUBLIC_URL = 'https://bulletin.example.org';
/** The issue's target: laying out and writing 005's PDF takes well under a second of CPU. */
const PDF_TARGET_MS = 1000;

const require = createRequire(import.meta.url);
const SERIF = require.resolve('@expo-google-fonts/noto-serif/400Regular/NotoSerif_400Regular.ttf');

async function baselinePdf(text: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => doc.on('end', resolve));
  doc.font(SERIF).fontSize(9.5).text(text);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function time(build: () => Promise<unknown> | unknown): Promise<Timing> {
  await build(); // warm-up: caches, JIT, fonts parsed once per process
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < RUNS; i++) await build();
  const wallMs = (performance.now() - start) / RUNS;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 / RUNS };
}

function load(path: string): Issue {
  const { issue, problems } = loadIssue(path);
  if (!issue) throw new Error(`${path}: ${problems.map((p) => p.message).join('; ')}`);
  return issue;
}

const rows: string[][] = [['issue', 'edition', 'wall ms', 'CPU ms', '× baseline']];
let pdfOf005: Timing | undefined;
for (const path of ISSUES) {
  const issue = load(path);
  const text = renderText(issue);
  const baseline = await time(() => baselinePdf(text));
  const editions: [string, () => Promise<unknown> | unknown][] = [
    ['email.html', () => renderEmail(issue)],
    ['email.txt', () => renderText(issue)],
    ['web', () => renderWeb(issue)],
    ['pdf', () => renderPdf(issue, { publicUrl: PUBLIC_URL })],
  ];
  const name = `${issue.publication.slug}/${issue.code}`;
  rows.push([name, 'baseline pdf', baseline.wallMs.toFixed(1), baseline.cpuMs.toFixed(1), '1.0']);
  for (const [edition, build] of editions) {
    const timing = await time(build);
    if (edition === 'pdf' && issue.code === '005') pdfOf005 = timing;
    const ratio = (timing.cpuMs / baseline.cpuMs).toFixed(1);
    rows.push([name, edition, timing.wallMs.toFixed(1), timing.cpuMs.toFixed(1), ratio]);
  }
}

const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
for (const row of rows)
  console.log(
    row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
  );
console.log(`\n${RUNS} builds each after one warm-up; CPU is user + system time of this process.`);
if (pdfOf005) {
  const verdict = pdfOf005.cpuMs < PDF_TARGET_MS ? 'met' : 'MISSED';
  console.log(
    `target: global-eye/005 PDF under ${PDF_TARGET_MS} ms of CPU: ${pdfOf005.cpuMs.toFixed(0)} ms, ${verdict}`,
  );
}
