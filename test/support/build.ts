// Vitest global setup: CLI tests spawn bin/bulletin.js, which runs the compiled build/, so bring it
// up to date with the sources first (a no-op when nothing changed since the last build).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/build.js', import.meta.url));
  execFileSync(process.execPath, [script, '--if-stale'], { stdio: 'inherit' });
}
