// What `bulletin check` costs on the sample issue, as an editor runs it after every save: a fresh
// process each time. The baseline, measured in the same run, is a process that starts Node with
// bulletin's TypeScript loader and does nothing: what check adds is the difference and the ratio.
// Runs are alternated so that a busy machine slows both alike.
//
//   npm run bench:check            BENCH_RUNS=20 npm run bench:check
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 8);
const ISSUE = 'issues/global-eye/005.md';
const BIN = fileURLToPath(new URL('../bin/bulletin.js', import.meta.url));
/** Printed by each child as it exits: its own CPU time and peak memory. */
const USAGE = `data:text/javascript,${encodeURIComponent(
  "process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('\\nUSAGE ' + JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, rssMB: u.maxRSS / 1024 }) + '\\n'); });",
)}`;

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssMB: number;
}

function run(args: string[]): Sample {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--import', USAGE, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PUBLIC_URL: 'https://bulletin.example.org' },
  });
  const wallMs = performance.now() - start;
  const usage = /USAGE (\{.*\})/.exec(child.stderr)?.[1];
  if (child.status !== 0 || !usage) throw new Error(`${args.join(' ')} failed: ${child.stderr}`);
  return { wallMs, ...(JSON.parse(usage) as { cpuMs: number; rssMB: number }) };
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** check's own work, without the command line around it: what it loads and does for one file. */
const CHECK_ONLY = `const { checkIssueFile } = await import('./src/cli/check.ts'); await checkIssueFile('${ISSUE}');`;

const check: Sample[] = [];
const checkOnly: Sample[] = [];
const baseline: Sample[] = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(run(['--import', 'tsx', '--eval', '']));
  checkOnly.push(run(['--import', 'tsx', '--input-type=module', '--eval', CHECK_ONLY]));
  check.push(run([BIN, 'check', ISSUE]));
}
const row = (name: string, samples: Sample[]) => {
  const wall = median(samples.map((s) => s.wallMs));
  const cpu = median(samples.map((s) => s.cpuMs));
  const rss = median(samples.map((s) => s.rssMB));
  return { name, wall, cpu, rss };
};
const rows = [
  row('node + tsx (baseline)', baseline),
  row('checkIssueFile alone', checkOnly),
  row(`bulletin check ${ISSUE}`, check),
];
const base = rows[0] as ReturnType<typeof row>;
console.log(`median of ${RUNS} runs each\n`);
console.log(['', 'wall ms', 'CPU ms', 'peak RSS MB', 'CPU × baseline'].join('\t'));
for (const r of rows)
  console.log(
    [r.name, r.wall.toFixed(0), r.cpu.toFixed(0), r.rss.toFixed(0), (r.cpu / base.cpu).toFixed(2)].join('\t'),
  );
const own = rows[1] as ReturnType<typeof row>;
const cli = rows[2] as ReturnType<typeof row>;
console.log(
  `\ncheck's own work adds ${(own.cpu - base.cpu).toFixed(0)} ms of CPU and ${(own.rss - base.rss).toFixed(0)} MB to the baseline; ` +
    `the command line around it ${(cli.cpu - own.cpu).toFixed(0)} ms and ${(cli.rss - own.rss).toFixed(0)} MB more`,
);
