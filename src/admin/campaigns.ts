// The campaigns section: every campaign with its counts per state, one campaign's page, and what a
// publisher does to a campaign (pause, resume, cancel, resend failed) through the same functions
// as `bulletin pause|resume|cancel` and `publish --resend-failed` (src/campaigns). Workers deliver:
// resuming from here only queues the batches, as `resume --detach` does.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { enqueueBatches, workersLine } from '../campaigns/enqueue.ts';
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
import type { Clock } from '../clock.ts';
import { DEFAULT_SETTINGS } from '../delivery/settings.ts';
import { BulletinError, problem } from '../problems.ts';
import { type DeliveryQueue, openDeliveryQueue } from '../queue/delivery-queue.ts';
import { openQueueConnection } from '../queue/index.ts';
import type { RedisConnection } from '../services/redis.ts';
import type { Db } from '../store/db.ts';
import { type Html, html } from './html.ts';
import { type AdminSection, accountOf, can, csrfField, flash, requireRole, sendPage } from './index.ts';

export const CAMPAIGNS_PATH = '/admin/campaigns';
/** The list shows the latest ones; older campaigns open by their id. */
const LISTED = 100;

export interface CampaignsDeps {
  db: Db;
  /** The delivery queue's Redis: resume and resend-failed queue batches on it. */
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

export function campaignsSection(deps: CampaignsDeps): AdminSection {
  const { db } = deps;
  let queue: Promise<{ redis: Redis; queue: DeliveryQueue }> | undefined;
  /** Opened at the first resume or resend, not at every start of `serve`. */
  const deliveryQueue = async () => {
    queue ??= openQueueConnection(deps.connection, deps.log).then(
      (redis) => ({
        redis,
        queue: openDeliveryQueue(redis, DEFAULT_SETTINGS, (err) =>
          deps.log.warn({ err: err.message }, 'delivery queue: Redis does not answer'),
        ),
      }),
      (err: unknown) => {
        queue = undefined; // the next click tries again
        throw err;
      },
    );
    return (await queue).queue;
  };

  /** The delivery queue, or undefined with the reason flashed (Redis does not answer). */
  async function deliveryQueueOr(request: FastifyRequest): Promise<DeliveryQueue | undefined> {
    try {
      return await deliveryQueue();
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

  return {
    label: 'Campaigns',
    path: CAMPAIGNS_PATH,
    async routes(app) {
      app.addHook('onClose', async () => {
        if (!queue) return;
        const opened = await queue.catch(() => undefined);
        await opened?.queue.close();
        opened?.redis.disconnect();
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
<td>${status(c)}</td>
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

      app.get(`${CAMPAIGNS_PATH}/:id`, async (request, reply) => {
        const c = await campaignOf(request, reply);
        if (!c) return reply;
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
          title: `Campaign ${name(c)}`,
          body: html`<dl class="facts">
<dt>Subject</dt><dd>${c.subject}</dd>
<dt>List</dt><dd>${c.listName} &lt;${c.listAddress}&gt;</dd>
<dt>Status</dt><dd>${status(c)}</dd>
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
${actions(request, reply, c, n)}
<p><a href="${CAMPAIGNS_PATH}">All campaigns</a></p>`,
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
        const delivery = await deliveryQueueOr(request);
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

      app.post(`${CAMPAIGNS_PATH}/:id/cancel`, publisher, async (request, reply) => {
        const c = await campaignOf(request, reply);
        if (!c) return reply;
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
        const delivery = await deliveryQueueOr(request);
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
function actions(request: FastifyRequest, reply: FastifyReply, c: Campaign, n: Counts): Html {
  if (!can(request, 'publisher'))
    return html`<p>Only a publisher can pause, resume, cancel or resend a campaign.</p>`;
  const button = (action: string, label: string, danger = false) =>
    html`<form class="inline" method="post" action="${campaignPath(c.id)}/${action}">${csrfField(reply)}<button type="submit" class="action${danger ? ' danger' : ''}">${label}</button></form>`;
  const buttons = [
    c.status === 'sending' && button('pause', 'Pause'),
    c.status === 'paused' && button('resume', 'Resume'),
    (c.status === 'sending' || c.status === 'paused') && button('cancel', 'Cancel the campaign', true),
    n.failed > 0 && button('resend-failed', `Resend to the ${n.failed} failed`),
  ].filter((b): b is Html => b !== false);
  // Scheduling (the `schedule` part of issue 14) adds its form here, for a publisher: move or
  // cancel a scheduled campaign.
  return html`<section aria-labelledby="actions"><h2 id="actions">Actions</h2>
${buttons.length ? buttons : html`<p>Nothing to do: the campaign is ${c.status}.</p>`}
</section>`;
}
