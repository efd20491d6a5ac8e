// Delivers one batch of one campaign: claim it, send to every recipient still queued, record each
// result, and say what the queue should do next. Knows nothing of BullMQ (see queue/delivery-worker.ts)
// nor of the database: the campaign's records are the ledger's (campaigns/ledger.ts).

import type { Logger } from 'pino';
import type { CampaignLedger, DeliveryResult, QueuedRecipient } from '../campaigns/ledger.ts';
import { msUntilOpen } from '../campaigns/window.ts';
import type { Clock } from '../clock.ts';
import { countMessage } from '../metrics.ts';
import type { Sender, SendResult } from '../outbound/sender.ts';
import { InternalError } from '../problems.ts';
import type { BatchJobOutcome } from '../queue/delivery-worker.ts';
import type { Tokens } from '../tokens.ts';
import { type CampaignMessage, composeCampaignMessage } from './campaign-message.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { ResultRecorder } from './result-recorder.ts';
import type { SendRateLimiter } from './send-rate-limiter.ts';

export interface BatchDeliveryOptions {
  /** Messages of one batch in flight at once; match the SMTP pool's connections. */
  sendConcurrency: number;
  /** Results per database write, and the longest they wait. */
  flushEvery: number;
  flushIntervalMs: number;
}

export interface BatchDelivererDeps {
  ledger: CampaignLedger;
  sender: Sender;
  tokens: Tokens;
  clock: Clock;
  rate: SendRateLimiter;
  breaker: CircuitBreaker;
  logger: Logger;
  options: BatchDeliveryOptions;
}

interface SendCounts {
  sent: number;
  deferred: number;
  lastReason: string;
}

/** Campaign messages kept per process; a worker rarely serves more than one or two at a time. */
const MESSAGE_CACHE_SIZE = 4;

export class BatchDeliverer {
  private readonly messages = new Map<number, Promise<CampaignMessage>>();
  /** When this process's breaker last paused each campaign: its batches in flight stop too. */
  private readonly trippedAt = new Map<number, number>();

  constructor(private readonly deps: BatchDelivererDeps) {}

  async deliver(campaignId: number, batch: number, attempt: { last: boolean }): Promise<BatchJobOutcome> {
    const { ledger, options, logger, clock } = this.deps;
    const checkedAt = clock.now();
    const status = await ledger.status(campaignId);
    if (!status) return { kind: 'gone' };
    if (status === 'paused') return { kind: 'paused' };
    if (status !== 'sending') return { kind: 'done', sent: 0 };
    // Sending again since our breaker tripped: someone resumed the campaign.
    if ((this.trippedAt.get(campaignId) ?? Number.POSITIVE_INFINITY) < checkedAt)
      this.trippedAt.delete(campaignId);

    // Outside its sending window a batch is not claimed: it waits, delayed, until the window opens.
    const { window } = (await this.message(campaignId)).campaign;
    const closedFor = window ? msUntilOpen(window, checkedAt) : 0;
    if (closedFor > 0) return { kind: 'held', retryInMs: closedFor };

    const claim = await ledger.claim(campaignId, batch);
    if (claim.kind === 'done') return { kind: 'done', sent: 0 };
    if (claim.kind === 'held') return claim;
    const { lease } = claim;

    const recorder = new ResultRecorder(ledger, lease, clock, options.flushEvery, options.flushIntervalMs);
    let counts: SendCounts;
    try {
      const message = await this.message(campaignId);
      const recipients = await ledger.queuedRecipients(lease);
      counts = await this.sendAll(message, recipients, recorder, attempt.last);
      await recorder.close();
    } catch (err) {
      await recorder.close().catch(() => {});
      await ledger.release(lease).catch(() => {});
      throw err;
    }

    // Taken over by another claim, cancelled or reopened: the batch is no longer this job's.
    if (recorder.lost) {
      logger.warn(
        { campaignId, batch, sent: counts.sent },
        'batch taken over or closed meanwhile: stopped sending it',
      );
      return { kind: 'done', sent: counts.sent };
    }
    if (this.trippedAt.has(campaignId)) {
      await ledger.release(lease);
      return { kind: 'paused' };
    }
    if (counts.deferred > 0) {
      await ledger.release(lease);
      return { kind: 'retry', deferred: counts.deferred, reason: counts.lastReason };
    }
    if (await ledger.finish(lease, new Date(clock.now()))) {
      logger.info({ campaignId }, 'campaign done');
    }
    return { kind: 'done', sent: counts.sent };
  }

  private async sendAll(
    message: CampaignMessage,
    recipients: readonly QueuedRecipient[],
    recorder: ResultRecorder,
    lastAttempt: boolean,
  ): Promise<SendCounts> {
    const { sender, rate, breaker, ledger, clock, logger } = this.deps;
    const campaignId = message.campaign.id;
    const campaignLabel = `${message.campaign.publication}/${message.campaign.issueCode}`;
    const counts: SendCounts = { sent: 0, deferred: 0, lastReason: '' };
    let next = 0;
    const sendNext = async (): Promise<void> => {
      for (let i = next++; i < recipients.length; i = next++) {
        const recipient = recipients[i] as (typeof recipients)[number];
        if (recipient.subscriberStatus !== 'confirmed') {
          const detail = recipient.subscriberStatus
            ? `subscriber ${recipient.subscriberStatus}`
            : 'subscriber erased';
          await recorder.add({ subscriberId: recipient.subscriberId, status: 'skipped', detail });
          countMessage(campaignLabel, 'skipped');
          continue;
        }
        // A tripped breaker leaves the rest queued for after the resume; a lost batch, to its holder.
        if (this.trippedAt.has(campaignId) || recorder.lost) return;
        await rate.take();
        const values = message.recipient({ id: recipient.subscriberId, email: recipient.email });
        const result = await sender.send(
          { from: values.return_path, to: values.to },
          (await message.templateFor(recipient.choices)).personalise(values),
        );
        const delivery = toDeliveryResult(recipient.subscriberId, result, lastAttempt);
        if (result.kind === 'sent') counts.sent++;
        if (delivery.status === 'queued') {
          counts.deferred++;
          counts.lastReason = delivery.detail ?? '';
        }
        await recorder.add(delivery);
        countMessage(campaignLabel, delivery.status === 'queued' ? 'deferred' : delivery.status);
        const healthy =
          result.kind === 'sent' || (result.kind === 'rejected' && result.stage === 'recipient');
        if (breaker.record(campaignId, healthy)) {
          this.trippedAt.set(campaignId, clock.now());
          const reason = `paused after consecutive failures; last: ${delivery.detail}`;
          await ledger.pause(campaignId, reason);
          logger.error({ campaignId, reason }, 'circuit breaker tripped: campaign paused');
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.deps.options.sendConcurrency, recipients.length) }, sendNext),
    );
    return counts;
  }

  private message(campaignId: number): Promise<CampaignMessage> {
    let message = this.messages.get(campaignId);
    if (!message) {
      message = this.deps.ledger.campaign(campaignId).then((campaign) => {
        if (!campaign) throw new InternalError(`campaign ${campaignId} vanished`);
        return composeCampaignMessage(campaign, this.deps.tokens, new Date(this.deps.clock.now()));
      });
      // A failed compose must not stay cached.
      message.catch(() => this.messages.delete(campaignId));
      this.messages.set(campaignId, message);
      for (const old of this.messages.keys()) {
        if (this.messages.size <= MESSAGE_CACHE_SIZE) break;
        this.messages.delete(old);
      }
    }
    return message;
  }
}

function toDeliveryResult(subscriberId: number, result: SendResult, lastAttempt: boolean): DeliveryResult {
  switch (result.kind) {
    case 'sent':
      return { subscriberId, status: 'sent' };
    case 'rejected':
      return {
        subscriberId,
        status: result.stage === 'recipient' ? 'bounced' : 'failed',
        detail: `${result.code} ${result.reason}`,
      };
    case 'deferred': {
      const detail = result.code ? `${result.code} ${result.reason}` : result.reason;
      // Out of attempts, a temporary failure is final; `publish --resend-failed` can try again.
      return { subscriberId, status: lastAttempt ? 'failed' : 'queued', detail };
    }
  }
}
