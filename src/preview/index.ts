// src/preview: `bulletin preview`: an issue's editions served on this machine, rebuilt on every save of the
// issue, its publication.yml, its images or a template, with the open page refreshed by
// server-sent events. A broken file shows its problems beside the last good build; nothing an
// editor saves stops the server.

import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fail } from '../problems.ts';
import { EMAIL_TEMPLATES } from '../render/email/index.ts';
import { buildServer } from '../web/server.ts';
import { PreviewBuilder, type PreviewState } from './builder.ts';
import { previewRoutes } from './routes.ts';
import { watchFolders } from './watch.ts';

export type { PreviewState } from './builder.ts';

/** The templates the renderers read (email/, web/ …): saving one rebuilds. */
const TEMPLATES = `${dirname(EMAIL_TEMPLATES)}${sep}`;
const IMAGE = /\.(png|jpe?g|gif|svg|webp)$/i;
const TEMPLATE = /\.(hbs|mjml)$/i;

export interface PreviewOptions {
  /** The issue file. */
  file: string;
  /** 0 lets the system choose; the URL says which. */
  port: number;
  /** Base URL the PDF prints for the web edition (the configured PUBLIC_URL). */
  publicUrl: string;
  /** Where build reports go, one line each. */
  log?(line: string): void;
}

export interface Preview {
  url: string;
  state(): PreviewState;
  close(): Promise<void>;
}

export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const file = resolve(options.file);
  // Not there at all is a typo on the command line; deleted later, it is a save in progress.
  if (!existsSync(file) || !statSync(file).isFile()) {
    fail('issue-not-found', { path: options.file });
  }
  const folder = dirname(file);
  const builder = new PreviewBuilder({ file, publicUrl: options.publicUrl, log: options.log });
  let port = options.port;
  const routes = previewRoutes(builder, () => port);
  const app = await buildServer({ routes: [routes.register], logger: false, framing: 'self' });
  try {
    await app.listen({ host: '127.0.0.1', port: options.port });
  } catch (err) {
    await builder.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      fail(
        'port-in-use',
        `Port ${options.port} on 127.0.0.1 is already in use.`,
        `Stop what uses it, or choose another port: --port ${options.port + 1}.`,
      );
    }
    if (code === 'EACCES') {
      fail(
        'port-denied',
        `Port ${options.port} needs privileges.`,
        'Choose a port above 1023, e.g. --port 4000.',
      );
    }
    throw err;
  }
  const address = app.server.address();
  if (address && typeof address === 'object') port = address.port;

  const watcher = watchFolders(
    [
      {
        folder,
        relevant: (changed) =>
          changed === file || changed === join(folder, 'publication.yml') || IMAGE.test(changed),
      },
      { folder: TEMPLATES, relevant: (changed) => TEMPLATE.test(changed) },
    ],
    (files) => {
      if (files.some((changed) => changed.startsWith(TEMPLATES))) builder.templatesSaved();
      void builder.rebuild();
    },
    { onWarning: (message) => options.log?.(message) },
  );
  await builder.rebuild();

  return {
    url: `http://127.0.0.1:${port}/`,
    state: () => builder.state(),
    async close() {
      watcher.close();
      routes.endStreams();
      await app.close();
      await builder.close();
    },
  };
}
