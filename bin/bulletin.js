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
process.exitCode = await main(process.argv);
