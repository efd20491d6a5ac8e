// `bulletin publish`: the editions go online (stored in the database, where every `bulletin serve`
// finds them, and written under <dataDir>/editions), the campaign and its recipients are
// recorded, and one job per batch is queued.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Issue } from '../issue/model.ts';
import type { DeliveryQueue } from '../queue/delivery-queue.ts';
import { type Editions, editionFolder, renderEditions, writeEditionFiles } from '../render/editions.ts';
import { pdfFileName } from '../render/replacements.ts';
import { RECORD_FILE } from '../render/web/record.ts';
import type { Db, Queryable } from '../store/db.ts';
import { enqueueBatches } from './enqueue.ts';
import { EMAIL_TEMPLATE_FILES, storePublishedFiles } from './published-editions.ts';
import {
  type Campaign,
  createCampaign,
  findCampaign,
  getCampaign,
  type NewCampaign,
  requeueFailed,
} from './store.ts';
import type { SendingWindow } from './window.ts';

/** Where a machine keeps published editions: <dataDir>/editions/<publication>/<NNN>/ (for `serve`, a
 *  cache of the database's, see published-editions.ts). */
export function editionsRoot(dataDir: string): string {
  return join(dataDir, 'editions');
}

/** Files of a published issue that must not be served: the email templates still hold placeholders. */
export const UNSERVED_FILES = new Set([...EMAIL_TEMPLATE_FILES, RECORD_FILE]);

export interface PublishResult {
  campaign: Campaign;
  /** False: this issue had been published before; nothing new was recorded. */
  created: boolean;
  /** With `resendFailed`: recipients queued again. */
  requeued: number;
  /** Jobs offered to the queue (existing ones are not duplicated). */
  enqueued: number;
}

/** The campaign's record of an issue: its rendered snapshot and how it is sent. */
export function campaignInput(
  issue: Issue,
  editions: Editions,
  options: { publicUrl: string; batchSize: number; window?: SendingWindow },
): NewCampaign {
  return {
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
    window: options.window,
  };
}

/**
 * Puts rendered editions online, unless the issue is scheduled: then they stay off the site until
 * its time (schedule.ts), and the scheduled campaign is returned for the caller to report.
 */
export async function storeUnlessScheduled(
  db: Queryable,
  issues: readonly Issue[],
  stored: EditionsByLanguage,
  dataDir: string,
): Promise<Campaign | undefined> {
  const [issue] = issues as [Issue];
  const existing = await findCampaign(db, issue.publication.slug, issue.number);
  if (existing?.status === 'scheduled') return existing;
  writeLanguages(issues, stored, dataDir);
  return undefined;
}

/** Writes every language's rendered editions into the data dir, each in its own folder. */
function writeLanguages(issues: readonly Issue[], stored: EditionsByLanguage, dataDir: string): void {
  for (const each of issues) {
    const editions = stored.get(each.language);
    if (editions) writeEditionFiles(editionFolder(editionsRoot(dataDir), each), editions.files);
  }
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
  const stored = await renderLanguages(issues, options);
  writeLanguages(issues, stored, options.dataDir);
  return stored;
}

/** Renders every language's editions, one language after another (each PDF has a thread's whole attention). */
export async function renderLanguages(
  issues: readonly Issue[],
  options: { publicUrl: string; pdf?: (issue: Issue) => Promise<Buffer> | undefined },
): Promise<EditionsByLanguage> {
  const rendered = new Map<string, Editions>();
  for (const issue of issues)
    rendered.set(
      issue.language,
      await renderEditions(issue, { publicUrl: options.publicUrl, pdf: options.pdf?.(issue) }),
    );
  return rendered;
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
    /** Batches are claimed only inside it. */
    window?: SendingWindow;
    /** Translations of `issue`, whose editions are stored with it. */
    translations?: readonly Issue[];
    /** Already stored with `storeLanguages` (e.g. while the database and Redis were starting). */
    editions?: EditionsByLanguage;
  },
): Promise<PublishResult> {
  const stored =
    options.editions ?? (await storeLanguages([issue, ...(options.translations ?? [])], options));
  const editions = editionsToSend(stored, issue).get(issue.language) as Editions;
  // Online for every serve before the campaign exists: nothing may be sent before what it links to
  // is stored. (The database holds the default language's editions; a translation's are served by
  // the serve of the data dir that published it.)
  // The record as written here keeps this machine's earlier anchors; the database adds its own.
  const recordPath = join(editionFolder(editionsRoot(options.dataDir), issue), RECORD_FILE);
  const files = editions.files.map((file) =>
    file.name === RECORD_FILE && existsSync(recordPath)
      ? { ...file, contents: readFileSync(recordPath) }
      : file,
  );
  const record = await storePublishedFiles(deps.db, issue.publication.slug, issue.code, files);
  if (record) {
    mkdirSync(dirname(recordPath), { recursive: true }); // editions rendered but not written here
    writeFileSync(recordPath, JSON.stringify(record));
  }
  const { campaign, created } = await createCampaign(
    deps.db,
    campaignInput(issue, editions, options),
    options.now,
  );
  const requeued = options.resendFailed ? await requeueFailed(deps.db, campaign.id) : 0;
  const current = (requeued && (await getCampaign(deps.db, campaign.id))) || campaign;
  // Enqueued again on every publish: existing job ids make this a no-op, and it heals a publish
  // that died half-way through enqueueing.
  const enqueued = current.status === 'sending' ? await enqueueBatches(deps.db, deps.queue, current) : 0;
  return { campaign: current, created, requeued, enqueued };
}
