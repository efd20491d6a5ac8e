// `node --import ./test/support/module-log.js …` appends the URL of every module the process loads,
// ES modules and CommonJS alike, one a line, to the file named by $MODULE_LOG.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const file = process.env.MODULE_LOG;

if (isMainThread && file) {
  // The same file, in the loader thread, provides the hook below.
  register(import.meta.url);
  process.on('exit', () => {
    // CommonJS modules required by other CommonJS modules never pass through the ESM hook.
    const required = Object.keys(createRequire(import.meta.url).cache);
    appendFileSync(file, required.map((path) => `${pathToFileURL(path).href}\n`).join(''));
  });
}

export async function load(url, context, nextLoad) {
  if (file) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
