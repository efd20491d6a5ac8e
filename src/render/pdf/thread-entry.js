// Worker threads do not inherit the main thread's tsx loader: run from the TypeScript sources
// (tsx, vitest), thread.ts starts this, which registers the loader, then runs the thread's body.
import { register } from 'tsx/esm/api';

register();
await import('./thread-main.ts');
