import type { Command } from 'commander';
import { DEFAULT_SETTINGS } from '../delivery/settings.ts';
import { outboxDir } from '../outbound/outbox.ts';
import { addConfirmed, countByStatus } from '../subscribers/store.ts';
import { buildIssue } from './build.ts';
import { type CliContext, withStore } from './context.ts';
import { publishAndFollow } from './publish.ts';

export const SAMPLE_ISSUE = 'issues/global-eye/005.md';

/** Readers of the sample: example.org addresses only, never the publisher's real ones. */
const SAMPLE_READERS = ['ana@example.org', 'bao@example.org', 'chidi@example.org'];

/**
 * `npm start`: the sample issue through the whole pipeline on embedded defaults. It builds the
 * editions, gives an empty list three sample readers, and publishes: a private PostgreSQL, a private Redis and
 * BullMQ workers deliver the issue into the outbox (or to SMTP_URL when set). Running it again
 * shows that an issue is never sent twice.
 */
export function registerStart(program: Command, context: CliContext): void {
  program
    .command('start')
    .description(`run the main job on the sample issue (${SAMPLE_ISSUE})`)
    .action(async () => {
      const config = context.config();
      context.stdout.write(`1. Building the editions of ${SAMPLE_ISSUE}\n`);
      const issues = await buildIssue(SAMPLE_ISSUE, 'dist', context);
      const issue = issues[0] as (typeof issues)[number];
      const slug = issue.publication.slug;
      await withStore(config, async (db) => {
        if ((await countByStatus(db, slug)).confirmed > 0) return;
        for (const email of SAMPLE_READERS) {
          await addConfirmed(db, {
            publication: slug,
            email,
            evidence: 'npm start sample reader',
            now: context.clock.date(),
          });
        }
      });
      context.stdout.write(`\n2. Publishing to the confirmed subscribers of ${slug}\n`);
      await publishAndFollow(issues, DEFAULT_SETTINGS, {}, context);

      context.stdout.write(
        `\n3. Done. ${config.smtpUrl ? `Mail went to ${new URL(config.smtpUrl).host}.` : `Messages are in ${outboxDir(config.dataDir)}/.`}` +
          ` Run \`npx bulletin serve\` to read the web edition at ${config.publicUrl}/${slug}/${issue.code}/ and to receive mail for ${issue.publication.listAddress}.\n`,
      );
    });
}
