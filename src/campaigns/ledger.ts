// src/campaigns owns a campaign's records: the plan written at publish (store.ts, publish.ts), the
// ledger that the delivery of a batch works through (this file), following progress (watch.ts),
// schedules and the scheduler that starts them (schedule.ts, scheduler.ts; local times in
// zoned-time.ts), sending windows (window.ts) and who a campaign would reach now (audience.ts).
//
// The campaign ledger: everything the delivery path may ask of a campaign's records, and nothing
// more (as listmonk's manager sees only its data-source interface). A batch moves
// pending → submitting → done; while it is submitting, one claim holds it under a lease, and every
// later step of that batch (results, release, finish) names the claim and changes nothing once
// another claim has taken the batch over. The PostgreSQL ledger is postgres-ledger.ts.

import type { Choices } from '../subscribers/model.ts';
import type { Campaign, CampaignSnapshot, CampaignStatus, DeliveryStatus } from './store.ts';

export type { Campaign, CampaignStatus, DeliveryStatus };

/** One claim on one batch: the claim number tells this holder from any later one. */
export interface BatchLease {
  campaignId: number;
  batch: number;
  claim: number;
}

export type Claim =
  | { kind: 'claimed'; lease: BatchLease }
  /** Every recipient of the batch is in a final state, or the campaign ended. */
  | { kind: 'done' }
  /** Another worker's lease is still running; try again in `retryInMs`. */
  | { kind: 'held'; retryInMs: number };

export interface QueuedRecipient {
  subscriberId: number;
  email: string;
  /** The subscriber's status now; null when erased since the snapshot. */
  subscriberStatus: string | null;
  /** What the reader chose, as it stands when their batch is sent. */
  choices: Choices;
}

export interface DeliveryResult {
  subscriberId: number;
  /** `queued`: a temporary failure, tried again with the next attempt of the batch. */
  status: DeliveryStatus;
  detail?: string;
}

export interface CampaignLedger {
  /** The campaign's status, or undefined when it does not exist; cheap enough for every batch. */
  status(campaignId: number): Promise<CampaignStatus | undefined>;
  /** The campaign with its rendered snapshot in every language, to build the messages from. */
  campaign(campaignId: number): Promise<CampaignSnapshot | undefined>;
  /** Takes the batch until the lease runs out, unless it is done or another live claim holds it. */
  claim(campaignId: number, batch: number): Promise<Claim>;
  /** The batch's recipients not yet in a final state, in send order. */
  queuedRecipients(lease: BatchLease): Promise<QueuedRecipient[]>;
  /**
   * Writes results (each recipient's once, however often it is written: they are facts, kept
   * even from a claim taken over since) and, for a hard bounce, marks the subscriber bounced, in
   * one transaction; renews the lease. Returns whether the claim still holds the batch.
   */
  record(lease: BatchLease, results: readonly DeliveryResult[], now: Date): Promise<boolean>;
  /** Hands the batch back to be claimed again (temporary failures, pause, shutdown). */
  release(lease: BatchLease): Promise<boolean>;
  /**
   * Marks the batch done and, when it was the campaign's last open batch, the campaign too.
   * Returns whether this call finished the campaign.
   */
  finish(lease: BatchLease, now: Date): Promise<boolean>;
  /** Pauses a sending campaign (the circuit breaker); returns whether it was sending. */
  pause(campaignId: number, reason: string): Promise<boolean>;
}
