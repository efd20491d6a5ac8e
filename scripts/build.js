#!/usr/bin/env node
// `npm run build`, also run by `npm ci` (the `prepare` script): compiles src/ with tsc
// into build/, with source maps, and links beside the JavaScript the files it reads at run time
// (templates, SQL migrations) at the same relative places, so paths built from import.meta.url hold.
// Links, not copies: a template saved while `bulletin preview` or `serve` runs is the one they read.
// `--if-stale` builds only when a source is newer than the last build (the tests' global setup).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const OUT = join(root, 'build');
const STAMP = join(OUT, '.built');
const SOURCES = ['src', 'templates', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const ASSETS = ['templates', 'src/store/migrations'];

function newestSource() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  for (const source of SOURCES) if (existsSync(join(root, source))) visit(join(root, source));
  return newest;
}

if (process.argv.includes('--if-stale') && existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestSource()) {
  process.exit(0);
}

// Built beside and swapped in, so a command started meanwhile finds a whole build, old or new.
const started = new Date();
const next = `${OUT}.${process.pid}`;
rmSync(next, { recursive: true, force: true });
try {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', next], {
      stdio: 'inherit',
    });
  } catch (err) {
    // Type errors still emit JavaScript: they are `npm run typecheck`'s to report, not a reason to
    // stop `npm ci` or the tests. Anything else (no output at all) is a failed build.
    if (!existsSync(join(next, 'src', 'cli', 'main.js'))) throw err;
    process.stderr.write('build: tsc reported type errors (above); the JavaScript was emitted anyway.\n');
  }
  for (const asset of ASSETS) {
    mkdirSync(dirname(join(next, asset)), { recursive: true });
    symlinkSync(relative(dirname(join(OUT, asset)), join(root, asset)), join(next, asset), 'dir');
  }
  // Dated when the build started: a source saved during the build makes the next one run.
  writeFileSync(join(next, '.built'), `${started.toISOString()}\n`);
  utimesSync(join(next, '.built'), started, started);
  rmSync(OUT, { recursive: true, force: true });
  renameSync(next, OUT);
} catch (err) {
  rmSync(next, { recursive: true, force: true });
  process.stderr.write(`build failed: ${err.message.split('\n')[0]}\n`);
  process.exit(1);
}
