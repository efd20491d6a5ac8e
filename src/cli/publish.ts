import type { Command } from 'commander';
import type { watchCampaign } from '../campaigns/watch.ts';
import type { Delivery } from '../delivery/runtime.ts';
import type { DeliverySettings } from '../delivery/settings.ts';
import type { Issue } from '../issue/model.ts';
import { listDomain } from '../list/addresses.ts';
import type { PdfThread } from '../render/pdf/thread.ts';
import { loadLanguagesOrFail } from './build.ts';
import type { CliContext } from './context.ts';
import { describeCampaign } from './status.ts';
import { type DeliveryFlags, deliveryOptions, settingsFrom, shutdownSignal } from './worker.ts';

interface PublishFlags extends DeliveryFlags {
  detach?: boolean;
  resendFailed?: boolean;
}

export function registerPublish(program: Command, context: CliContext): void {
  deliveryOptions(
    program
      .command('publish')
      .description('put the editions online and send the issue to every confirmed subscriber, once')
      .argument('<issue>', 'issue file, e.g. issues/global-eye/006.md')
      .option('--detach', 'only record and enqueue the campaign; `bulletin worker` processes deliver it')
      .option('--resend-failed', 'send again to the recipients whose delivery failed'),
  ).action(async (file: string, flags: PublishFlags) => {
    // The PDF is publish's critical path: its thread loads pdfkit and warms the fonts while this
    // one loads the issue and the rest of publish's code.
    const { PdfThread } = await import('../render/pdf/thread.ts');
    const pdfThread = new PdfThread().start();
    // The database and Redis (other processes, started if need be) open meanwhile too, unless the
    // DKIM signing domain has to come from the issue's list address.
    const needsIssueDomain = Boolean(flags.dkimKey && !flags.dkimDomain);
    const opening = needsIssueDomain ? undefined : openEarly(context, settingsFrom(flags));
    let issues: Issue[];
    try {
      // A translation named publishes its issue: every language together.
      const { originalOf } = await import('../issue/translations.ts');
      issues = await loadLanguagesOrFail(originalOf(file) ?? file, context);
    } catch (err) {
      await pdfThread.close();
      await opening?.then((delivery) => delivery.close()).catch(() => {});
      throw err;
    }
    const publication = (issues[0] as Issue).publication;
    const settings = needsIssueDomain
      ? settingsFrom(flags, listDomain(publication.listAddress))
      : settingsFrom(flags);
    await publishAndFollow(issues, settings, flags, context, { pdfThread, opening });
  });
}

/** Opens the database and Redis for delivery; a failure is reported once the issue has loaded. */
function openEarly(context: CliContext, settings: DeliverySettings): Promise<Delivery> {
  const opening = import('../delivery/runtime.ts').then(({ openDelivery }) =>
    openDelivery(context.config(), settings),
  );
  opening.catch(() => {}); // awaited by publishAndFollow, or closed if the issue fails to load
  return opening;
}

/**
 * Stores every language's editions (`issues`: the original first, then its translations), records
 * the campaign and, unless detached, delivers it with an in-process worker while showing
 * progress. Sets a failing exit code when the campaign did not finish.
 */
export async function publishAndFollow(
  issues: readonly Issue[],
  settings: DeliverySettings,
  flags: Pick<PublishFlags, 'detach' | 'resendFailed'>,
  context: CliContext,
  started: { pdfThread?: PdfThread; opening?: Promise<Delivery> } = {},
): Promise<void> {
  const config = context.config();
  const [issue, ...translations] = issues as [Issue, ...Issue[]];
  // The PDFs take longest: they render on their own thread, one language after another, while this
  // one opens the database and Redis.
  const thread = started.pdfThread ?? new (await import('../render/pdf/thread.ts')).PdfThread().start();
  const pdfs = new Map(
    issues.map((each) => [each, thread.render(each, { publicUrl: config.publicUrl }).then(({ pdf }) => pdf)]),
  );
  // Awaited by storeLanguages (a failure to load first must not leave them unhandled); the thread
  // ends with the last.
  for (const pdf of pdfs.values()) void pdf.catch(() => {});
  void Promise.allSettled(pdfs.values()).finally(() => thread.close());
  const [{ openDelivery }, { publishIssue, storeLanguages }] = await Promise.all([
    import('../delivery/runtime.ts'),
    import('../campaigns/publish.ts'),
  ]);
  // The editions render while the database and Redis start (they are other processes, or wait on I/O).
  const [opened, stored] = await Promise.allSettled([
    started.opening ?? openDelivery(config, settings),
    storeLanguages(issues, {
      dataDir: config.dataDir,
      publicUrl: config.publicUrl,
      pdf: (each) => pdfs.get(each),
    }),
  ]);
  if (opened.status === 'rejected') throw opened.reason;
  const delivery = opened.value;
  try {
    if (stored.status === 'rejected') throw stored.reason;
    const result = await publishIssue(delivery, issue, {
      dataDir: config.dataDir,
      publicUrl: config.publicUrl,
      batchSize: settings.batchSize,
      resendFailed: Boolean(flags.resendFailed),
      now: context.clock.date(),
      translations,
      editions: stored.value,
    });
    const { campaign } = result;
    const { indexPublishedIssue } = await import('../site/indexing.ts');
    await indexPublishedIssue(delivery.db, config.dataDir, issue.publication.slug, issue.code);
    context.stdout.write(
      result.created
        ? `Campaign ${campaign.id}: ${plural(campaign.recipients, 'recipient')} in ${plural(Math.ceil(campaign.recipients / campaign.batchSize), 'batch', 'batches')}.\n`
        : `Campaign ${campaign.id} exists already (${campaign.status}); nobody is sent the issue twice.${result.requeued ? ` ${result.requeued} failed recipient(s) queued again.` : ''}\n`,
    );
    if (flags.detach || campaign.status !== 'sending') {
      context.stdout.write(await describeCampaign(delivery.db, campaign));
      if (campaign.status === 'sending') {
        const { workersLine } = await import('../campaigns/enqueue.ts');
        context.stdout.write(await workersLine(delivery.queue));
      }
      return;
    }
    await deliverHere(delivery, campaign.id, context);
  } finally {
    await delivery.close();
  }
}

/**
 * Delivers a sending campaign with a worker in this process, showing progress until it stops
 * sending or the operator interrupts. Sets a failing exit code when it did not finish.
 */
export async function deliverHere(
  delivery: Delivery,
  campaignId: number,
  context: CliContext,
): Promise<void> {
  delivery.startWorker();
  const interrupted = new AbortController();
  void shutdownSignal().then(() => interrupted.abort());
  const finished = await followWithProgressBar(delivery.db, campaignId, context, interrupted.signal);
  context.stdout.write(await describeCampaign(delivery.db, finished));
  if (interrupted.signal.aborted && finished.status === 'sending') {
    context.stderr.write(
      'Interrupted: the batches in hand are finished and recorded; the rest stay queued for `bulletin worker` (or run publish again).\n',
    );
  }
  if (finished.status !== 'done') context.exitCode = 1;
}

async function followWithProgressBar(
  db: Parameters<typeof watchCampaign>[0],
  campaignId: number,
  context: CliContext,
  signal: AbortSignal,
) {
  const [{ SingleBar }, { watchCampaign }] = await Promise.all([
    import('cli-progress'),
    import('../campaigns/watch.ts'),
  ]);
  const bar = new SingleBar({
    format:
      '{bar} {percentage}% | sent {sent} | failed {failed} | remaining {remaining} | {rate}/s | ETA {eta_formatted}',
    stream: context.stderr,
    hideCursor: true,
  });
  const started = performance.now(); // for the rate shown, nothing decided by it
  let firstDone: number | undefined;
  const finished = await watchCampaign(
    db,
    campaignId,
    ({ counts, recipients }) => {
      const done = recipients - counts.queued;
      firstDone ??= done;
      const rate = (done - firstDone) / Math.max(0.001, (performance.now() - started) / 1000);
      const payload = {
        sent: counts.sent,
        failed: counts.failed + counts.bounced,
        remaining: counts.queued,
        rate: rate.toFixed(0),
      };
      if (!bar.isActive) bar.start(recipients, done, payload);
      else bar.update(done, payload);
    },
    500,
    signal,
  );
  bar.stop();
  return finished;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
