// `bulletin publish`: the editions go online (written under <dataDir>/editions, served by
// `bulletin serve`), the campaign and its recipients are recorded, and one job per batch is queued.

import { join } from 'node:path';
import type { Issue } from '../issue/model.ts';
import type { DeliveryQueue } from '../queue/delivery-queue.ts';
import { type Editions, editionFolder, renderEditions, writeEditionFiles } from '../render/editions.ts';
import { pdfFileName } from '../render/replacements.ts';
import { RECORD_FILE } from '../render/web/record.ts';
import type { Db } from '../store/db.ts';
import { enqueueBatches } from './enqueue.ts';
import { type Campaign, createCampaign, getCampaign, requeueFailed } from './store.ts';

/** Where published editions live: <dataDir>/editions/<publication>/<NNN>/. */
export function editionsRoot(dataDir: string): string {
  return join(dataDir, 'editions');
}

/** Files of a published issue that must not be served: the email templates still hold placeholders. */
export const UNSERVED_FILES = new Set(['email.html', 'email.txt', RECORD_FILE]);

export interface PublishResult {
  campaign: Campaign;
  /** False: this issue had been published before; nothing new was recorded. */
  created: boolean;
  /** With `resendFailed`: recipients queued again. */
  requeued: number;
  /** Jobs offered to the queue (existing ones are not duplicated). */
  enqueued: number;
}

/** Renders the editions and puts them online: nothing may be sent before what it links to is stored. */
export async function storeEditions(
  issue: Issue,
  options: { dataDir: string; publicUrl: string; pdf?: Promise<Buffer> },
): Promise<Editions> {
  const editions = await renderEditions(issue, { publicUrl: options.publicUrl, pdf: options.pdf });
  writeEditionFiles(editionFolder(editionsRoot(options.dataDir), issue), editions.files);
  return editions;
}

export async function publishIssue(
  deps: { db: Db; queue: DeliveryQueue },
  issue: Issue,
  options: {
    dataDir: string;
    publicUrl: string;
    batchSize: number;
    resendFailed: boolean;
    now: Date;
    /** Already stored with `storeEditions` (e.g. while the database and Redis were starting). */
    editions?: Editions;
  },
): Promise<PublishResult> {
  const editions = options.editions ?? (await storeEditions(issue, options));
  const { campaign, created } = await createCampaign(
    deps.db,
    {
      publication: issue.publication.slug,
      issueNumber: issue.number,
      issueCode: issue.code,
      subject: editions.email.subject,
      html: editions.email.html,
      text: editions.text,
      listName: issue.publication.name,
      listAddress: issue.publication.listAddress,
      publicUrl: options.publicUrl,
      // Kept for every campaign: a reader may ask for it attached (src/subscribers, "pdf").
      attachment: { filename: pdfFileName(issue.publication.slug, issue.code), content: editions.pdf },
      attachByDefault: issue.publication.pdf.attach,
      batchSize: options.batchSize,
    },
    options.now,
  );
  const requeued = options.resendFailed ? await requeueFailed(deps.db, campaign.id) : 0;
  const current = (requeued && (await getCampaign(deps.db, campaign.id))) || campaign;
  // Enqueued again on every publish: existing job ids make this a no-op, and it heals a publish
  // that died half-way through enqueueing.
  const enqueued = current.status === 'sending' ? await enqueueBatches(deps.db, deps.queue, current) : 0;
  return { campaign: current, created, requeued, enqueued };
}
