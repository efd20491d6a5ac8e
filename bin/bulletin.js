#!/usr/bin/env node
// The `bulletin` command: runs the JavaScript that `npm ci` compiled into build/ (`npm run build`
// after changing src/), with stack traces pointing into the TypeScript sources.
process.setSourceMapsEnabled(true);
let main;
try {
  ({ main } = await import('../build/src/cli/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('build/src/cli/main.js'))
    throw err;
  process.stderr.write('error no-build: bulletin is not built. Run `npm run build` (npm ci does it).\n');
  process.exit(1);
}
const status = await main(process.argv);
// A command that failed has said why and closed what it opened: nothing left running (a PDF
// thread, a reconnecting client) may hold the exit up. Writes to pipes and files are synchronous.
if (status !== 0) process.exit(status);
process.exitCode = status;
