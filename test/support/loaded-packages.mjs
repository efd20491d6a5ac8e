// node test/support/loaded-packages.mjs <module.ts> <function> <argument>
// Calls an exported function and prints, as JSON, the npm packages that were loaded meanwhile:
// a resolve hook sees every package imported from ES modules (ES or CommonJS alike).
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

const [modulePath, exportName, argument] = process.argv.slice(2);
const { port1, port2 } = new MessageChannel();
const packages = new Set();
port1.on('message', (url) => {
  const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (name) packages.add(name);
});
port1.unref();
const hooks = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  port.postMessage(resolved.url);
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  data: { port: port2 },
  transferList: [port2],
});
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
const loaded = await import(pathToFileURL(resolve(modulePath)).href);
const result = await loaded[exportName](argument);
await new Promise((done) => setTimeout(done, 100)); // the hook's last messages
process.stdout.write(`${JSON.stringify({ packages: [...packages].sort(), result })}\n`);
