import { statSync } from 'node:fs';
import type { Command } from 'commander';
import type { watchCampaign } from '../campaigns/watch.ts';
import type { SendingWindow } from '../campaigns/window.ts';
import type { Delivery } from '../delivery/runtime.ts';
import type { DeliverySettings } from '../delivery/settings.ts';
import type { Issue } from '../issue/model.ts';
import { listDomain } from '../list/addresses.ts';
import { fail } from '../problems.ts';
import type { PdfThread } from '../render/pdf/thread.ts';
import { loadLanguagesOrFail } from './build.ts';
import type { CliContext } from './context.ts';
import type { ScheduleFlags } from './schedule.ts';
import { describeCampaign } from './status.ts';
import { type DeliveryFlags, deliveryOptions, settingsFrom, shutdownSignal } from './worker.ts';

interface PublishFlags extends DeliveryFlags, ScheduleFlags {
  detach?: boolean;
  resendFailed?: boolean;
  dryRun?: boolean;
  sample: number;
}

export function registerPublish(program: Command, context: CliContext): void {
  deliveryOptions(
    program
      .command('publish')
      .description('put the editions online and send the issue to every confirmed subscriber, once')
      .argument('<issue>', 'issue file, e.g. issues/global-eye/006.md')
      .option('--detach', 'only record and enqueue the campaign; `bulletin worker` processes deliver it')
      .option('--resend-failed', 'send again to the recipients whose delivery failed')
      .option('--dry-run', 'send nothing, record nothing: show who would receive it and the editions’ sizes')
      .option(
        '--sample <n>',
        'with --dry-run: confirmed addresses to show',
        (v) => Math.max(0, Number.parseInt(v, 10) || 0),
        10,
      )
      .option('--at <time>', 'send later: local time YYYY-MM-DDTHH:MM (`bulletin worker` sends it then)')
      .option('--tz <zone>', 'time zone of --at and --window, e.g. Europe/Zurich (default: this machine’s)')
      .option(
        '--window <HH:MM-HH:MM>',
        'send only between these hours of the day (left to `bulletin worker`)',
      ),
  ).action(async (file: string, flags: PublishFlags) => {
    // A bad date, zone or window, or a time gone by, fails before anything is rendered or opened.
    const timing =
      flags.at !== undefined || flags.tz !== undefined || flags.window !== undefined
        ? await (await import('./schedule.ts')).scheduleFrom(flags, context.clock.date())
        : undefined;
    // A path that names no file is one line before anything starts.
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) fail('issue-not-found', { path: file });
    if (flags.dryRun) {
      const { originalOf } = await import('../issue/translations.ts');
      const issues = await loadLanguagesOrFail(originalOf(file) ?? file, context);
      const { dryRun } = await import('./dry-run.ts');
      await dryRun(issues, { sample: flags.sample, when: timing?.when, window: timing?.window }, context);
      return;
    }
    // A server that does not answer or let it in is one line before anything starts (a few
    // milliseconds when they do); SMTP too when this process will send.
    const { reachDependencies } = await import('../health/startup.ts');
    await reachDependencies(context.config(), { smtp: !flags.detach && !timing });
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
    if (timing?.when) {
      const { scheduleHere } = await import('./schedule.ts');
      await scheduleHere(issues, settings, { when: timing.when, window: timing.window }, context, {
        pdf: pdfsOn(pdfThread, issues, context.config().publicUrl),
        opening: opening ?? openEarly(context, settings),
      });
      return;
    }
    // A campaign with a sending window is left to `bulletin worker`: it may take days.
    const window = timing?.window;
    await publishAndFollow(
      issues,
      settings,
      { ...flags, detach: flags.detach || Boolean(window), window },
      context,
      { pdfThread, opening },
    );
  });
}

/**
 * Every language's PDF, rendered on `thread` one after another; the thread ends with the last.
 * Returns each issue's (awaited by renderLanguages: a failure to load first leaves none unhandled).
 */
function pdfsOn(thread: PdfThread, issues: readonly Issue[], publicUrl: string) {
  const pdfs = new Map(
    issues.map((each) => [each, thread.render(each, { publicUrl }).then(({ pdf }) => pdf)]),
  );
  for (const pdf of pdfs.values()) void pdf.catch(() => {});
  void Promise.allSettled(pdfs.values()).finally(() => thread.close());
  return (issue: Issue) => pdfs.get(issue) as Promise<Buffer>;
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
  flags: Pick<PublishFlags, 'detach' | 'resendFailed'> & { window?: SendingWindow },
  context: CliContext,
  started: { pdfThread?: PdfThread; opening?: Promise<Delivery> } = {},
): Promise<void> {
  const config = context.config();
  const [issue, ...translations] = issues as [Issue, ...Issue[]];
  // The PDFs take longest: they render on their own thread, one language after another, while this
  // one opens the database and Redis.
  const pdf = pdfsOn(
    started.pdfThread ?? new (await import('../render/pdf/thread.ts')).PdfThread().start(),
    issues,
    config.publicUrl,
  );
  const [{ openDelivery }, { publishIssue, renderLanguages, storeUnlessScheduled }] = await Promise.all([
    import('../delivery/runtime.ts'),
    import('../campaigns/publish.ts'),
  ]);
  // The editions render while the database and Redis start (they are other processes, or wait on I/O).
  const rendering = renderLanguages(issues, { publicUrl: config.publicUrl, pdf });
  rendering.catch(() => {}); // awaited below, unless opening failed first
  // A failure to open is said at once, not once the editions have rendered.
  const delivery = await (started.opening ?? openDelivery(config, settings));
  try {
    const editions = await rendering;
    // A scheduled issue stays off the site until its time.
    const scheduled = await storeUnlessScheduled(delivery.db, issues, editions, config.dataDir);
    if (scheduled) {
      context.stdout.write(
        `Campaign ${scheduled.id} is scheduled; nobody is sent the issue twice (\`bulletin schedule move|cancel ${scheduled.id}\` to change that).\n`,
      );
      context.stdout.write(await describeCampaign(delivery.db, scheduled));
      return;
    }
    const result = await publishIssue(delivery, issue, {
      dataDir: config.dataDir,
      publicUrl: config.publicUrl,
      batchSize: settings.batchSize,
      resendFailed: Boolean(flags.resendFailed),
      now: context.clock.date(),
      window: flags.window,
      translations,
      editions,
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
  const [{ progressDisplay }, { watchCampaign }] = await Promise.all([
    import('./progress.ts'),
    import('../campaigns/watch.ts'),
  ]);
  const display = progressDisplay(context.stderr);
  const started = performance.now(); // for the rate shown, nothing decided by it
  let firstDone: number | undefined;
  try {
    return await watchCampaign(
      db,
      campaignId,
      ({ counts, recipients, deferred, lastError }) => {
        const done = recipients - counts.queued;
        firstDone ??= done;
        const seconds = (performance.now() - started) / 1000;
        display.update({
          recipients,
          sent: counts.sent,
          failed: counts.failed + counts.bounced,
          remaining: counts.queued,
          deferred,
          lastError,
          ratePerSecond: seconds > 0 ? (done - firstDone) / seconds : 0,
        });
      },
      500,
      signal,
    );
  } finally {
    display.stop();
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
