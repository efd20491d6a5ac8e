import type { Command } from 'commander';
import { fail } from '../problems.ts';
import type { CliContext } from './context.ts';

export function registerPreview(program: Command, context: CliContext): void {
  program
    .command('preview')
    .description("serve an issue's editions on 127.0.0.1, rebuilt and refreshed on every save")
    .argument('<issue>', 'issue file, e.g. issues/global-eye/005.md')
    .option('--port <port>', 'HTTP port (0: any free port)', '4000')
    .action(async (file: string, options: { port: string }) => {
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65_535) {
        fail('bad-port', { port: options.port });
      }
      // Loaded only when previewing: the server, the watcher and the renderers.
      const { startPreview } = await import('../preview/index.ts');
      const preview = await startPreview({
        file,
        port,
        publicUrl: context.config().publicUrl,
        log: (line) => context.stdout.write(`${line}\n`),
      });
      context.stdout.write(`Previewing ${file} at ${preview.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          done();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await preview.close();
      context.stdout.write('Preview stopped.\n');
    });
}
