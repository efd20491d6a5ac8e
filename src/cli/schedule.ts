// `bulletin publish --at … [--tz …] [--window …]` and `bulletin schedule list|move|cancel`: the
// options read into instants and zones (one-line errors for a bad date, zone, window or a time
// gone by), and the scheduled campaigns as a table. What a schedule is, is src/campaigns/schedule.ts.

import type { Command } from 'commander';
import type { When } from '../campaigns/schedule.ts';
import type { Campaign } from '../campaigns/store.ts';
import type { SendingWindow } from '../campaigns/window.ts';
import type { Delivery } from '../delivery/runtime.ts';
import { DEFAULT_SETTINGS } from '../delivery/settings.ts';
import { fail } from '../problems.ts';
import { table } from './build.ts';
import type { CliContext } from './context.ts';

export interface ScheduleFlags {
  at?: string;
  tz?: string;
  window?: string;
}

/** The zone named by --tz, else this machine's (TZ), in its canonical spelling. */
export async function timeZoneFrom(tz: string | undefined): Promise<string> {
  const { canonicalTimeZone, isTimeZone, knownTimeZones } = await import('../campaigns/zoned-time.ts');
  const zone = tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  if (!isTimeZone(zone)) fail('invalid-time-zone', { value: zone, known: knownTimeZones() });
  return canonicalTimeZone(zone);
}

/** --at read in the zone; fails in one line when it is not a time, or has passed. */
export async function whenFrom(at: string, timeZone: string, now: Date): Promise<When> {
  const [{ instantOf, parseLocalDateTime }, { assertFuture }] = await Promise.all([
    import('../campaigns/zoned-time.ts'),
    import('../campaigns/schedule.ts'),
  ]);
  const local = parseLocalDateTime(at);
  if (!local) fail('invalid-date', { value: at });
  const when = { at: new Date(instantOf(local, timeZone)), timeZone };
  assertFuture(when, now);
  return when;
}

export async function windowFrom(text: string, timeZone: string): Promise<SendingWindow> {
  const { parseWindow } = await import('../campaigns/window.ts');
  const window = parseWindow(text);
  if (!window) fail('invalid-window', { value: text });
  return { ...window, timeZone };
}

/** Every time option of `publish`, checked before anything is rendered or opened. */
export async function scheduleFrom(
  flags: ScheduleFlags,
  now: Date,
): Promise<{ when?: When; window?: SendingWindow; timeZone: string }> {
  const timeZone = await timeZoneFrom(flags.tz);
  const when = flags.at === undefined ? undefined : await whenFrom(flags.at, timeZone, now);
  const window = flags.window === undefined ? undefined : await windowFrom(flags.window, timeZone);
  return { when, window, timeZone };
}

/** "2026-12-01 09:00 Europe/Zurich (08:00 UTC)". */
export async function describeWhen(at: Date, timeZone: string): Promise<string> {
  const { formatLocal } = await import('../campaigns/zoned-time.ts');
  const utc = formatLocal(at.getTime(), 'UTC');
  return timeZone === 'UTC'
    ? `${utc} UTC`
    : `${formatLocal(at.getTime(), timeZone)} ${timeZone} (${utc} UTC)`;
}

/** What `publish --at` says once the campaign is recorded. */
export async function scheduledLines(
  delivery: Delivery,
  campaign: Campaign,
  created: boolean,
): Promise<string> {
  if (!created)
    return `Campaign ${campaign.id} exists already (${campaign.status}); nobody is sent the issue twice.\n`;
  const { formatWindow } = await import('../campaigns/window.ts');
  const at = campaign.scheduledAt
    ? await describeWhen(campaign.scheduledAt, campaign.timeZone ?? 'UTC')
    : '?';
  const window = campaign.window
    ? `, sent only between ${formatWindow(campaign.window)} ${campaign.window.timeZone}`
    : '';
  const workers = await delivery.queue.workerCount();
  return [
    `Campaign ${campaign.id} scheduled for ${at}${window}.`,
    'Its readers are the confirmed ones at that time; its editions go online then.',
    workers
      ? `${workers} worker connection(s) on the queue now; keep \`bulletin worker\` running to send it.`
      : 'No worker is running now: a `bulletin worker` must be running at that time to send it.',
  ]
    .map((line) => `${line}\n`)
    .join('');
}

async function openForSchedule(context: CliContext): Promise<Delivery> {
  const { openDelivery } = await import('../delivery/runtime.ts');
  return openDelivery(context.config(), DEFAULT_SETTINGS);
}

async function scheduledTable(campaigns: readonly Campaign[]): Promise<string> {
  const [{ formatLocal }, { formatWindow }] = await Promise.all([
    import('../campaigns/zoned-time.ts'),
    import('../campaigns/window.ts'),
  ]);
  const rows = campaigns.map((c) => {
    const zone = c.timeZone ?? 'UTC';
    const at = c.scheduledAt?.getTime() ?? 0;
    return [
      String(c.id),
      `${c.publication}/${c.issueCode}`,
      formatLocal(at, zone),
      zone,
      formatLocal(at, 'UTC'),
      c.window ? formatWindow(c.window) : '-',
      c.subject,
    ];
  });
  return table([['id', 'issue', 'local time', 'zone', 'UTC', 'window', 'subject'], ...rows], (i) => i > 0);
}

function campaignId(ref: string): number {
  if (!/^\d+$/.test(ref)) fail('no-campaign', { ref });
  return Number(ref);
}

/** `bulletin schedule list|move|cancel`. */
export function registerSchedule(program: Command, context: CliContext): void {
  const schedule = program
    .command('schedule')
    .description('campaigns waiting for their time (`publish --at`): list, move, cancel');

  schedule
    .command('list')
    .description('scheduled campaigns, soonest first, with their local time and zone')
    .action(async () => {
      const [{ withStore }, { listScheduled }] = await Promise.all([
        import('./context.ts'),
        import('../campaigns/schedule.ts'),
      ]);
      await withStore(context.config(), async (db) => {
        const campaigns = await listScheduled(db);
        context.stdout.write(
          campaigns.length
            ? await scheduledTable(campaigns)
            : 'No campaign is scheduled: `bulletin publish <issue.md> --at 2026-12-01T09:00 --tz Europe/Zurich` schedules one.\n',
        );
      });
    });

  schedule
    .command('move')
    .description('give a scheduled campaign another time')
    .argument('<campaign>', 'campaign id (see `schedule list`)')
    .requiredOption('--at <time>', 'new local time, YYYY-MM-DDTHH:MM')
    .option('--tz <zone>', "the zone of --at (default: the campaign's)")
    .action(async (ref: string, flags: { at: string; tz?: string }) => {
      const id = campaignId(ref);
      const { moveScheduled, listScheduled } = await import('../campaigns/schedule.ts');
      const delivery = await openForSchedule(context);
      try {
        const current = (await listScheduled(delivery.db)).find((c) => c.id === id);
        const timeZone = await timeZoneFrom(flags.tz ?? current?.timeZone ?? undefined);
        const now = context.clock.date();
        const when = await whenFrom(flags.at, timeZone, now);
        const moved = await moveScheduled({ db: delivery.db, schedule: delivery.schedule }, id, {
          ...when,
          now,
        });
        context.stdout.write(
          `Campaign ${moved.id} moved to ${await describeWhen(when.at, timeZone)}.\n${await scheduledTable([moved])}`,
        );
      } finally {
        await delivery.close();
      }
    });

  schedule
    .command('cancel')
    .description('cancel a scheduled campaign: nothing is sent, and the issue can be published again')
    .argument('<campaign>', 'campaign id (see `schedule list`)')
    .action(async (ref: string) => {
      await cancelScheduledCommand(campaignId(ref), context);
    });
}

/** Also what `bulletin cancel` does to a scheduled campaign. */
export async function cancelScheduledCommand(id: number, context: CliContext): Promise<void> {
  const { cancelScheduled } = await import('../campaigns/schedule.ts');
  const delivery = await openForSchedule(context);
  try {
    const cancelled = await cancelScheduled(
      { db: delivery.db, schedule: delivery.schedule },
      id,
      context.clock.date(),
    );
    context.stdout.write(
      `Campaign ${cancelled.id} (${cancelled.publication}/${cancelled.issueCode}) cancelled before its time: nothing was sent; the issue can be published or scheduled again.\n`,
    );
  } finally {
    await delivery.close();
  }
}

/**
 * `publish --at`: renders the editions in every language (a broken issue fails now, not at its
 * time), records the scheduled campaign with them and the wake-up job, and returns: the scheduler
 * of `bulletin worker` or `serve` starts it at its time.
 */
export async function scheduleHere(
  issues: readonly import('../issue/model.ts').Issue[],
  settings: import('../delivery/settings.ts').DeliverySettings,
  schedule: { when: When; window?: SendingWindow },
  context: CliContext,
  started: { pdf: (issue: import('../issue/model.ts').Issue) => Promise<Buffer>; opening: Promise<Delivery> },
): Promise<void> {
  const config = context.config();
  const [{ campaignInput, languageFiles, renderLanguages }, { scheduleCampaign }] = await Promise.all([
    import('../campaigns/publish.ts'),
    import('../campaigns/schedule.ts'),
  ]);
  const [opened, rendered] = await Promise.allSettled([
    started.opening,
    renderLanguages(issues, { publicUrl: config.publicUrl, pdf: started.pdf }),
  ]);
  if (opened.status === 'rejected') throw opened.reason;
  const delivery = opened.value;
  try {
    if (rendered.status === 'rejected') throw rendered.reason;
    const stored = rendered.value;
    const { campaign, created } = await scheduleCampaign(
      { db: delivery.db, schedule: delivery.schedule },
      campaignInput(issues, stored, {
        publicUrl: config.publicUrl,
        batchSize: settings.batchSize,
        window: schedule.window,
      }),
      languageFiles(issues, stored),
      { ...schedule.when, now: context.clock.date() },
    );
    context.stdout.write(await scheduledLines(delivery, campaign, created));
  } finally {
    await delivery.close();
  }
}
