// The campaigns section: every campaign with its counts per state, one campaign's page, and what a
// publisher does to a campaign (pause, resume, cancel, resend failed) through the same functions
// as `bulletin pause|resume|cancel` and `publish --resend-failed` (src/campaigns). Workers deliver:
// resuming from here only queues the batches, as `resume --detach` does. A scheduled campaign shows
// its time; a publisher moves or cancels it as `bulletin schedule move|cancel` does.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { enqueueBatches, workersLine } from '../campaigns/enqueue.ts';
import { cancelScheduled, moveScheduled } from '../campaigns/schedule.ts';
import {
  type Campaign,
  campaignProgress,
  cancelCampaign,
  deferredCounts,
  deliveryProblems,
  getCampaign,
  listCampaigns,
  type Progress,
  requeueFailed,
  setCampaignStatus,
} from '../campaigns/store.ts';
import { formatWindow } from '../campaigns/window.ts';
import {
  canonicalTimeZone,
  formatLocal,
  instantOf,
  isTimeZone,
  knownTimeZones,
  parseLocalDateTime,
} from '../campaigns/zoned-time.ts';
import type { Clock } from '../clock.ts';
import { DEFAULT_SETTINGS } from '../delivery/settings.ts';
import { BulletinError, problem } from '../problems.ts';
import { type DeliveryQueue, openDeliveryQueue } from '../queue/delivery-queue.ts';
import { openQueueConnection } from '../queue/index.ts';
import { openScheduleQueue, type ScheduleQueue } from '../queue/schedule-queue.ts';
import type { RedisConnection } from '../services/redis.ts';
import type { Db } from '../store/db.ts';
import { type Html, html } from './html.ts';
import { type AdminSection, accountOf, can, csrfField, flash, requireRole, sendPage } from './index.ts';

export const CAMPAIGNS_PATH = '/admin/campaigns';
/** The list shows the latest ones; older campaigns open by their id. */
const LISTED = 100;

export interface CampaignsDeps {
  db: Db;
  /** The queues' Redis: resume and resend-failed queue batches on it; move and cancel a schedule's wake-up. */
  connection: RedisConnection;
  log: Logger;
  clock: Clock;
}

interface Counts {
  sent: number;
  failed: number;
  /** Queued after a temporary failure: a retry is coming. */
  deferred: number;
  /** Queued, not tried yet. */
  remaining: number;
  bounced: number;
  skipped: number;
}

function countsOf(progress: Progress, deferred: number): Counts {
  const { counts } = progress;
  return {
    sent: counts.sent,
    failed: counts.failed,
    deferred,
    remaining: Math.max(0, counts.queued - deferred),
    bounced: counts.bounced,
    skipped: counts.skipped,
  };
}

const campaignPath = (id: number) => `${CAMPAIGNS_PATH}/${id}`;
const name = (c: Campaign) => `${c.publication}/${c.issueCode}`;

function time(date: Date | null): Html {
  if (!date) return html`–`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

function status(c: Campaign): Html {
  return html`${c.status}${c.statusReason ? html` <small>(${c.statusReason})</small>` : ''}`;
}

/** "2026-12-01 09:00 Europe/Zurich (08:00 UTC)", as `schedule list` shows it. */
function scheduledTime(at: Date, timeZone: string): Html {
  const utc = formatLocal(at.getTime(), 'UTC');
  const local = formatLocal(at.getTime(), timeZone);
  return html`<time datetime="${at.toISOString()}">${local} ${timeZone}</time>${timeZone === 'UTC' ? '' : html` (${utc.slice(11)} UTC${utc.slice(0, 10) === local.slice(0, 10) ? '' : html`, ${utc.slice(0, 10)}`})`}`;
}

function sendingWindow(c: Campaign): Html {
  return c.window ? html`between ${formatWindow(c.window)} ${c.window.timeZone}` : html`any time`;
}

/** The status, and for a scheduled campaign its time and window. */
function statusWithTime(c: Campaign): Html {
  if (c.status !== 'scheduled' || !c.scheduledAt) return status(c);
  return html`${status(c)} <small>for ${scheduledTime(c.scheduledAt, c.timeZone ?? 'UTC')}${c.window ? html`, sent ${sendingWindow(c)}` : ''}</small>`;
}

const timeZoneField = z
  .string()
  .trim()
  .max(100)
  .transform((zone, ctx) => {
    if (isTimeZone(zone)) return canonicalTimeZone(zone);
    ctx.addIssue({
      code: 'custom',
      message: problem('invalid-time-zone', { value: zone, known: knownTimeZones() }).message,
    });
    return z.NEVER;
  });

/** The move form: a local date-time (as `<input type="datetime-local">` sends it) read in a zone. */
const moveForm = z
  .object({ at: z.string().trim().max(40), timeZone: timeZoneField })
  .transform((form, ctx) => {
    const local = parseLocalDateTime(form.at);
    if (!local) {
      ctx.addIssue({ code: 'custom', message: problem('invalid-date', { value: form.at }).message });
      return z.NEVER;
    }
    return { at: new Date(instantOf(local, form.timeZone)), timeZone: form.timeZone };
  });

/** What the move form said, shown again with the reason it was refused. */
interface Refusal {
  status: number;
  message: string;
  at: string;
  timeZone: string;
}

export function campaignsSection(deps: CampaignsDeps): AdminSection {
  const { db } = deps;
  let queue: Promise<{ redis: Redis; queue: DeliveryQueue; schedule: ScheduleQueue }> | undefined;
  /** Opened at the first resume, resend, move or cancel of a schedule, not at every start of `serve`. */
  const queues = async () => {
    queue ??= openQueueConnection(deps.connection, deps.log).then(
      (redis) => ({
        redis,
        queue: openDeliveryQueue(redis, DEFAULT_SETTINGS, (err) =>
          deps.log.warn({ err: err.message }, 'delivery queue: Redis does not answer'),
        ),
        schedule: openScheduleQueue(redis, (err) =>
          deps.log.warn({ err: err.message }, 'schedule queue: Redis does not answer'),
        ),
      }),
      (err: unknown) => {
        queue = undefined; // the next click tries again
        throw err;
      },
    );
    return queue;
  };

  /** The queues, or undefined with the reason flashed (Redis does not answer). */
  async function queuesOr(request: FastifyRequest) {
    try {
      return await queues();
    } catch (err) {
      if (!(err instanceof BulletinError)) throw err;
      flash(
        request,
        `Nothing was changed: ${err.problems.map((p) => `${p.message} ${p.hint ?? ''}`).join(' ')}`,
      );
      return undefined;
    }
  }

  /** The campaign of the `:id` in the path, or a 404 sent. */
  async function campaignOf(request: FastifyRequest, reply: FastifyReply): Promise<Campaign | undefined> {
    const { id } = request.params as { id: string };
    const campaign = /^\d{1,15}$/.test(id) ? await getCampaign(db, Number(id)) : undefined;
    if (!campaign) {
      reply.code(404).type('text/plain').send('No such campaign.\n');
      return undefined;
    }
    return campaign;
  }

  /** A campaign's page; after a refused move, with the reason and what was typed. */
  async function sendCampaign(
    request: FastifyRequest,
    reply: FastifyReply,
    c: Campaign,
    refusal?: Refusal,
  ): Promise<FastifyReply> {
    const progress = await campaignProgress(db, c);
    const n = countsOf(progress, (await deferredCounts(db, [c.id])).get(c.id) ?? 0);
    const counts = (
      [
        ['Sent', n.sent],
        ['Failed', n.failed],
        ['Deferred (to be retried)', n.deferred],
        ['Remaining', n.remaining],
        ['Bounced', n.bounced],
        ['Skipped', n.skipped],
      ] as const
    ).map(([label, value]) => html`<tr><th scope="row">${label}</th><td class="n">${value}</td></tr>`);
    const problems = (await deliveryProblems(db, c.id)).map(
      (p) =>
        html`<tr><th scope="row">${p.detail}</th><td>${p.status}</td><td class="n">${p.recipients}</td></tr>`,
    );
    return sendPage(request, reply, {
      status: refusal?.status,
      title: `Campaign ${name(c)}`,
      body: html`<dl class="facts">
<dt>Subject</dt><dd>${c.subject}</dd>
<dt>List</dt><dd>${c.listName} &lt;${c.listAddress}&gt;</dd>
<dt>Status</dt><dd>${status(c)}</dd>
${c.status === 'scheduled' && c.scheduledAt ? html`<dt>Scheduled for</dt><dd>${scheduledTime(c.scheduledAt, c.timeZone ?? 'UTC')}</dd>` : ''}
${c.status === 'scheduled' || c.window ? html`<dt>Sending window</dt><dd>${sendingWindow(c)}</dd>` : ''}
<dt>Recipients</dt><dd>${progress.recipients}</dd>
<dt>Started</dt><dd>${time(c.createdAt)}</dd>
<dt>Finished</dt><dd>${time(c.finishedAt)}</dd>
</dl>
<table>
<caption>Recipients by state</caption>
<thead><tr><th scope="col">State</th><th scope="col" class="n">Recipients</th></tr></thead>
<tbody>${counts}</tbody>
</table>
${
  problems.length
    ? html`<table>
<caption>What the mail servers answered (the most frequent first)</caption>
<thead><tr><th scope="col">Answer</th><th scope="col">State</th><th scope="col" class="n">Recipients</th></tr></thead>
<tbody>${problems}</tbody>
</table>`
    : ''
}
${actions(request, reply, c, n, refusal)}
<p><a href="${CAMPAIGNS_PATH}">All campaigns</a></p>`,
    });
  }

  return {
    label: 'Campaigns',
    path: CAMPAIGNS_PATH,
    async routes(app) {
      app.addHook('onClose', async () => {
        if (!queue) return;
        const opened = await queue.catch(() => undefined);
        await opened?.queue.close();
        await opened?.schedule.close();
        opened?.redis.disconnect();
      });

      app.get(`${CAMPAIGNS_PATH}/:id`, async (request, reply) => {
        const c = await campaignOf(request, reply);
        if (!c) return reply;
        return sendCampaign(request, reply, c);
      });

      app.get(CAMPAIGNS_PATH, async (request, reply) => {
        const campaigns = await listCampaigns(db, LISTED);
        const deferred = await deferredCounts(
          db,
          campaigns.map((c) => c.id),
        );
        const rows: Html[] = [];
        for (const c of campaigns) {
          const n = countsOf(await campaignProgress(db, c), deferred.get(c.id) ?? 0);
          rows.push(html`<tr>
<th scope="row"><a href="${campaignPath(c.id)}">${name(c)}</a></th>
<td>${c.listName}</td>
<td>${statusWithTime(c)}</td>
<td class="n">${n.sent}</td><td class="n">${n.failed}</td><td class="n">${n.deferred}</td><td class="n">${n.remaining}</td>
<td>${time(c.createdAt)}</td><td>${time(c.finishedAt)}</td>
</tr>`);
        }
        return sendPage(request, reply, {
          title: 'Campaigns',
          body: campaigns.length
            ? html`<table>
<caption>Newest first${campaigns.length === LISTED ? html` (the latest ${LISTED}; older ones open by their id)` : ''}</caption>
<thead><tr>
<th scope="col">Issue</th><th scope="col">List</th><th scope="col">Status</th>
<th scope="col" class="n">Sent</th><th scope="col" class="n">Failed</th><th scope="col" class="n">Deferred</th>
<th scope="col" class="n">Remaining</th><th scope="col">Started</th><th scope="col">Finished</th>
</tr></thead>
<tbody>${rows}</tbody>
</table>`
            : html`<p>No campaigns yet: <code>bulletin publish &lt;issue.md&gt;</code> starts one.</p>`,
        });
      });

      const publisher = { preHandler: requireRole('publisher') };
      /** Who did what to which campaign, in the log: the audit trail of the sending buttons. */
      const audit = (request: FastifyRequest, c: Campaign, action: string, done: boolean) =>
        request.log.info(
          { account: accountOf(request).name, campaign: c.id, action, done },
          'admin: campaign action',
        );

      app.post(`${CAMPAIGNS_PATH}/:id/pause`, publisher, async (request, reply) => {
        const c = await campaignOf(request, reply);
        if (!c) return reply;
        const paused = await setCampaignStatus(
          db,
          c.id,
          ['sending'],
          'paused',
          `paused by ${accountOf(request).name} in the admin`,
        );
        audit(request, c, 'pause', paused);
        flash(
          request,
          paused
            ? `Campaign ${name(c)} paused: batches in progress finish, the rest wait for Resume.`
            : problem('not-sending', { id: c.id, status: c.status }).message,
        );
        return reply.redirect(campaignPath(c.id), 303);
      });

      app.post(`${CAMPAIGNS_PATH}/:id/resume`, publisher, async (request, reply) => {
        const c = await campaignOf(request, reply);
        if (!c) return reply;
        // The queue first: with Redis away nothing changes, rather than a campaign sending without jobs.
        const delivery = (await queuesOr(request))?.queue;
        if (!delivery) return reply.redirect(campaignPath(c.id), 303);
        const resumed = await setCampaignStatus(db, c.id, ['paused'], 'sending', null);
        audit(request, c, 'resume', resumed);
        if (!resumed) {
          flash(request, problem('not-paused', { id: c.id, status: c.status }).message);
          return reply.redirect(campaignPath(c.id), 303);
        }
        const jobs = await enqueueBatches(db, delivery, c);
        flash(
          request,
          `Campaign ${name(c)} resumed: ${jobs} batch(es) queued. ${await workersLine(delivery)}`,
        );
        return reply.redirect(campaignPath(c.id), 303);
      });

      app.post(`${CAMPAIGNS_PATH}/:id/move`, publisher, async (request, reply) => {
        const c = await campaignOf(request, reply);
        if (!c) return reply;
        const typed = (request.body ?? {}) as Record<string, unknown>;
        const refuse = (status: number, message: string) =>
          sendCampaign(request, reply, c, {
            status,
            message,
            at: typeof typed.at === 'string' ? typed.at.slice(0, 40) : '',
            timeZone: typeof typed.timeZone === 'string' ? typed.timeZone.slice(0, 100) : '',
          });
        const form = moveForm.safeParse(typed);
        if (!form.success) {
          const custom = form.error.issues.find((issue) => issue.code === 'custom');
          return custom
            ? refuse(422, custom.message)
            : refuse(400, 'Give a date and time and a time zone: nothing was changed.');
        }
        const opened = await queuesOr(request);
        if (!opened) return reply.redirect(campaignPath(c.id), 303);
        try {
          const moved = await moveScheduled({ db, schedule: opened.schedule }, c.id, {
            ...form.data,
            now: deps.clock.date(),
          });
          audit(request, c, 'move', true);
          flash(
            request,
            `Campaign ${name(c)} moved to ${formatLocal(form.data.at.getTime(), form.data.timeZone)} ${form.data.timeZone}.`,
          );
          return reply.redirect(campaignPath(moved.id), 303);
        } catch (err) {
          if (!(err instanceof BulletinError)) throw err;
          audit(request, c, 'move', false);
          const past = err.problems.some((p) => p.code === 'schedule-in-past');
          return refuse(past ? 422 : 409, err.problems.map((p) => p.message).join(' '));
        }
      });

      app.post(`${CAMPAIGNS_PATH}/:id/cancel`, publisher, async (request, reply) => {
        const c = await campaignOf(request, reply);
        if (!c) return reply;
        // Waiting for its time: its wake-up job goes too, as `bulletin cancel` does.
        if (c.status === 'scheduled') {
          const opened = await queuesOr(request);
          if (!opened) return reply.redirect(campaignPath(c.id), 303);
          try {
            await cancelScheduled({ db, schedule: opened.schedule }, c.id, deps.clock.date());
            audit(request, c, 'cancel', true);
            flash(
              request,
              `Campaign ${name(c)} cancelled before its time: nothing was sent; the issue can be published or scheduled again.`,
            );
          } catch (err) {
            if (!(err instanceof BulletinError)) throw err;
            audit(request, c, 'cancel', false);
            flash(request, err.problems.map((p) => p.message).join(' '));
          }
          return reply.redirect(campaignPath(c.id), 303);
        }
        const cancelled = await cancelCampaign(db, c.id, deps.clock.date());
        audit(request, c, 'cancel', cancelled);
        flash(
          request,
          cancelled
            ? `Campaign ${name(c)} cancelled: recipients not yet sent are skipped.`
            : problem('not-active', { id: c.id, status: c.status }).message,
        );
        return reply.redirect(campaignPath(c.id), 303);
      });

      app.post(`${CAMPAIGNS_PATH}/:id/resend-failed`, publisher, async (request, reply) => {
        const c = await campaignOf(request, reply);
        if (!c) return reply;
        const delivery = (await queuesOr(request))?.queue;
        if (!delivery) return reply.redirect(campaignPath(c.id), 303);
        const requeued = await requeueFailed(db, c.id);
        audit(request, c, 'resend-failed', requeued > 0);
        if (!requeued) {
          flash(request, `Campaign ${name(c)} has no failed recipients to send to again.`);
          return reply.redirect(campaignPath(c.id), 303);
        }
        const current = (await getCampaign(db, c.id)) ?? c;
        const jobs = current.status === 'sending' ? await enqueueBatches(db, delivery, current) : 0;
        flash(
          request,
          `${requeued} failed recipient(s) of ${name(c)} queued again in ${jobs} batch(es). ${await workersLine(delivery)}`,
        );
        return reply.redirect(campaignPath(c.id), 303);
      });
    },
  };
}

/** The buttons a publisher has for this campaign's state; an editor sees none of them. */
function actions(
  request: FastifyRequest,
  reply: FastifyReply,
  c: Campaign,
  n: Counts,
  refusal: Refusal | undefined,
): Html {
  if (!can(request, 'publisher'))
    return html`<p>Only a publisher can pause, resume, cancel, move or resend a campaign.</p>`;
  const button = (action: string, label: string, danger = false) =>
    html`<form class="inline" method="post" action="${campaignPath(c.id)}/${action}">${csrfField(reply)}<button type="submit" class="action${danger ? ' danger' : ''}">${label}</button></form>`;
  const buttons = [
    c.status === 'sending' && button('pause', 'Pause'),
    c.status === 'paused' && button('resume', 'Resume'),
    (c.status === 'sending' || c.status === 'paused' || c.status === 'scheduled') &&
      button('cancel', 'Cancel the campaign', true),
    n.failed > 0 && button('resend-failed', `Resend to the ${n.failed} failed`),
  ].filter((b): b is Html => b !== false);
  return html`<section aria-labelledby="actions"><h2 id="actions">Actions</h2>
${refusal ? html`<p class="error" role="alert">${refusal.message}</p>` : ''}
${c.status === 'scheduled' ? moveSchedule(reply, c, refusal) : ''}
${buttons.length ? buttons : html`<p>Nothing to do: the campaign is ${c.status}.</p>`}
</section>`;
}

/** Another time for a scheduled campaign: a local date-time and its zone, the campaign's at first. */
function moveSchedule(reply: FastifyReply, c: Campaign, refusal: Refusal | undefined): Html {
  const zone = c.timeZone ?? 'UTC';
  const at = refusal?.at ?? formatLocal(c.scheduledAt?.getTime() ?? 0, zone).replace(' ', 'T');
  return html`<form method="post" action="${campaignPath(c.id)}/move">${csrfField(reply)}
<label>New time <input type="datetime-local" name="at" value="${at}" required></label>
<label>Time zone <input name="timeZone" value="${refusal?.timeZone ?? zone}" list="time-zones" required maxlength="100"></label>
<datalist id="time-zones">${knownTimeZones().map((z) => html`<option value="${z}">`)}</datalist>
<button type="submit" class="action">Move</button>
</form>`;
}
