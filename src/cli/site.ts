import type { Command } from 'commander';
import { BulletinError, fail } from '../problems.ts';
import type { CliContext } from './context.ts';

/** `bulletin site --out <dir>`: the public site as static files (src/site/export.ts). */
export function registerSite(program: Command, context: CliContext): void {
  program
    .command('site')
    .description('write the public site (every published issue, archives, feeds, PDFs) as static files')
    .requiredOption('--out <dir>', 'where to write the site')
    .option('--issues <dir>', 'where publications live', 'issues')
    .option('--base-url <url>', 'the address the copy will be hosted at (default PUBLIC_URL), for the feeds')
    .action(async (options: { out: string; issues: string; baseUrl?: string }) => {
      const config = context.config();
      const baseUrl = options.baseUrl ?? config.publicUrl;
      if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol))
        fail('invalid-base-url', { value: baseUrl });
      const [{ loadLists }, { exportSite, publishedRoot, recordEarlierEditions, sitePublication }] =
        await Promise.all([import('../subscribers/lists.ts'), import('../site/index.ts')]);
      const { lists, publications, problems } = loadLists(options.issues);
      if (problems.length) throw new BulletinError(problems);
      if (!lists.length)
        fail(
          'no-publications',
          `No publications in ${options.issues}.`,
          'Create issues/<slug>/publication.yml.',
        );
      if (config.databaseUrl) {
        // A shared installation: the editions are the database's, whichever machine published them.
        const [{ withStore }, { editionsCache }] = await Promise.all([
          import('../store/open.ts'),
          import('../campaigns/published-editions.ts'),
        ]);
        await withStore(config, (db) => editionsCache(db, publishedRoot(config.dataDir)).syncAll());
      }
      await recordEarlierEditions(config.dataDir, options.issues, lists);
      const result = await exportSite({
        dataDir: config.dataDir,
        out: options.out,
        publicUrl: baseUrl,
        publications: publications.map(sitePublication),
      });
      context.stdout.write(
        `Wrote ${options.out}: ${result.pages} pages (${result.issues} ${result.issues === 1 ? 'issue' : 'issues'}), ${result.feeds} feeds, ${result.files} PDFs and images.\n`,
      );
      if (!result.issues)
        context.stderr.write(
          `warning nothing-published: no published issue in ${config.dataDir}; run \`bulletin publish\` first.\n`,
        );
    });
}
