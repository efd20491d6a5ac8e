// `bulletin publish <issue> --dry-run`: who would receive the issue and what would be sent, with
// nothing sent and nothing recorded: no campaign row, no edition stored, Redis not even opened.
// The editions are rendered in memory (so a broken issue shows here too) and printed as `build`
// prints them; the readers are counted by status and the first few confirmed shown in send order.

import type { When } from '../campaigns/schedule.ts';
import type { SendingWindow } from '../campaigns/window.ts';
import type { Issue } from '../issue/model.ts';
import { editionsTable, emailSizeWarning, table } from './build.ts';
import { type CliContext, withStore } from './context.ts';
import { describeWhen } from './schedule.ts';

export interface DryRunOptions {
  /** Confirmed addresses to show. */
  sample: number;
  when?: When;
  window?: SendingWindow;
}

/** `issues`: the issue, then its translations (rendered for the email and PDF only in the default's). */
export async function dryRun(
  issues: readonly Issue[],
  options: DryRunOptions,
  context: CliContext,
): Promise<void> {
  const [issue, ...translations] = issues as [Issue, ...Issue[]];
  const config = context.config();
  const [
    { renderEditions },
    { GMAIL_CLIP_BYTES },
    { audienceOf, readersByEdition },
    { findCampaign },
    { formatWindow },
  ] = await Promise.all([
    import('../render/editions.ts'),
    import('../render/email/size.ts'),
    import('../campaigns/audience.ts'),
    import('../campaigns/store.ts'),
    import('../campaigns/window.ts'),
  ]);
  const publication = issue.publication.slug;
  const [editions, { audience, existing }] = await Promise.all([
    renderEditions(issue, { publicUrl: config.publicUrl }),
    withStore(config, async (db) => ({
      audience: await audienceOf(db, publication, options.sample),
      existing: await findCampaign(db, publication, issue.number),
    })),
  ]);
  const out: string[] = [
    `Dry run of ${publication}/${issue.code}: nothing was sent, recorded or stored.`,
    `  subject  ${editions.email.subject}`,
    `  list     ${issue.publication.name} <${issue.publication.listAddress}>`,
  ];
  if (options.when)
    out.push(
      `  at       ${await describeWhen(options.when.at, options.when.timeZone)} (readers are counted again then)`,
    );
  if (options.window) out.push(`  window   ${formatWindow(options.window)} ${options.window.timeZone}`);
  if (existing)
    out.push(
      `Campaign ${existing.id} exists already (${existing.status}): publish would send nothing, nobody is sent an issue twice.`,
    );
  out.push('');
  const statuses = [...audience.byStatus.entries()];
  out.push(
    table([
      ['readers', 'count'],
      ...statuses.map(([status, n]) => [
        status === 'confirmed' ? 'confirmed (would receive it)' : status,
        String(n),
      ]),
      ['total', String(statuses.reduce((sum, [, n]) => sum + n, 0))],
    ]).trimEnd(),
  );
  out.push(`Recipients: ${audience.confirmed}.`);
  if (translations.length) {
    // Each reader is sent their language's edition, or the default's when there is none.
    const editionsSent = readersByEdition(
      audience.byLanguage,
      issue.language,
      translations.map((t) => t.language),
    );
    out.push(
      '',
      table([
        ['edition', 'readers', ''],
        ...editionsSent.map(({ edition, readers, fallback }, i) => [
          edition,
          String(readers),
          i === 0 && fallback.length
            ? `default; also ${fallback.map(([language, n]) => `${language} ${n}`).join(', ')} (no translation)`
            : i === 0
              ? 'default'
              : '',
        ]),
      ]).trimEnd(),
    );
  }
  if (audience.sample.length) {
    const more = audience.confirmed - audience.sample.length;
    out.push(`First ${audience.sample.length}, in send order${more > 0 ? ` (and ${more} more)` : ''}:`);
    for (const address of audience.sample) out.push(`  ${address}`);
  }
  out.push('', editionsTable(editions.files, []).trimEnd());
  context.stdout.write(`${out.join('\n')}\n`);
  if (editions.email.bytes > GMAIL_CLIP_BYTES)
    context.stderr.write(emailSizeWarning(editions.email.bytes, GMAIL_CLIP_BYTES));
  if (audience.confirmed === 0 && !existing)
    context.stderr.write(
      `warning no-readers: ${publication} has no confirmed reader: publish would record nothing and send nothing.\n`,
    );
}
