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

/** One issue's stored editions in every language it has, by language code, the default's first. */
export type EditionsByLanguage = ReadonlyMap<string, Editions>;

/**
 * Stores every language's editions of one issue (`issues`: the original, then its translations),
 * the default's under <pub>/<NNN>/, each translation's under <pub>/<language>/<NNN>/, one language
 * after another (each PDF has a thread's whole attention). `pdf` gives a PDF already rendering.
 */
export async function storeLanguages(
  issues: readonly Issue[],
  options: { dataDir: string; publicUrl: string; pdf?: (issue: Issue) => Promise<Buffer> | undefined },
): Promise<EditionsByLanguage> {
  const stored = new Map<string, Editions>();
  for (const issue of issues) {
    const pdf = options.pdf?.(issue);
    stored.set(issue.language, await storeEditions(issue, { ...options, pdf }));
  }
  return stored;
}

/**
 * The seam for sending by language: the editions a campaign sends, by the language of the readers
 * who get them. For now every reader gets the default language's; sending each reader their own
 * language replaces this function (and the campaign's one snapshot).
 */
export function editionsToSend(stored: EditionsByLanguage, issue: Issue): Map<string, Editions> {
  const own = stored.get(issue.language);
  if (!own)
    throw new Error(
      `the ${issue.language} editions of ${issue.publication.slug}/${issue.code} were not stored`,
    );
  return new Map([[issue.language, own]]);
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
    /** Translations of `issue`, whose editions are stored with it. */
    translations?: readonly Issue[];
    /** Already stored with `storeLanguages` (e.g. while the database and Redis were starting). */
    editions?: EditionsByLanguage;
  },
): Promise<PublishResult> {
  const stored =
    options.editions ?? (await storeLanguages([issue, ...(options.translations ?? [])], options));
  // Every language is online before anything is recorded to send.
  const editions = editionsToSend(stored, issue).get(issue.language) as Editions;
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
      attachment: issue.publication.pdf.attach
        ? { filename: pdfFileName(issue.publication.slug, issue.code), content: editions.pdf }
        : undefined,
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
