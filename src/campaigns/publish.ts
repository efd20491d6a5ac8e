// `bulletin publish`: the editions go online (stored in the database, where every `bulletin serve`
// finds them, and written under <dataDir>/editions), the campaign and its recipients are
// recorded, and one job per batch is queued.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Issue } from '../issue/model.ts';
import { InternalError } from '../problems.ts';
import type { DeliveryQueue } from '../queue/delivery-queue.ts';
import { type EditionFile, editionFolder, writeEditionFiles } from '../render/edition-files.ts';
import { type Editions, renderEditions } from '../render/editions.ts';
import { pdfFileName, translationLanguage } from '../render/replacements.ts';
import { type IssueRecord, RECORD_FILE } from '../render/web/record.ts';
import type { Db, Queryable } from '../store/db.ts';
import { enqueueBatches } from './enqueue.ts';
import { editionKey, editionsRoot, storePublishedFilesIn } from './published-editions.ts';
import {
  type Campaign,
  createCampaign,
  findCampaign,
  getCampaign,
  type NewCampaign,
  requeueFailed,
} from './store.ts';
import type { SendingWindow } from './window.ts';

export interface PublishResult {
  campaign: Campaign;
  /** False: this issue had been published before; nothing new was recorded. */
  created: boolean;
  /** With `resendFailed`: recipients queued again. */
  requeued: number;
  /** Jobs offered to the queue (existing ones are not duplicated). */
  enqueued: number;
}

/**
 * The campaign's record of an issue (`issues`: the original, then its translations): its rendered
 * snapshot in every language, each reader being sent their language's, and how it is sent.
 */
export function campaignInput(
  issues: readonly Issue[],
  stored: EditionsByLanguage,
  options: { publicUrl: string; batchSize: number; window?: SendingWindow },
): NewCampaign {
  const [issue, ...translations] = issues as [Issue, ...Issue[]];
  const editions = editionsOf(stored, issue);
  return {
    publication: issue.publication.slug,
    issueNumber: issue.number,
    issueCode: issue.code,
    language: issue.language,
    subject: editions.email.subject,
    html: editions.email.html,
    text: editions.text,
    listName: issue.publication.name,
    listAddress: issue.publication.listAddress,
    publicUrl: options.publicUrl,
    attachment: pdfAttachment(issue, editions),
    attachByDefault: issue.publication.pdf.attach,
    batchSize: options.batchSize,
    window: options.window,
    translations: translations.map((translation) => {
      const own = editionsOf(stored, translation);
      return {
        language: translation.language,
        subject: own.email.subject,
        html: own.email.html,
        text: own.text,
        attachment: pdfAttachment(translation, own),
      };
    }),
  };
}

/** One language's edition files: the default language's (no `translation`), or a translation's. */
export interface LanguageFiles {
  translation?: string;
  files: readonly EditionFile[];
}

/** Every language's edition files, as a scheduled campaign keeps them until its time (schedule.ts). */
export function languageFiles(issues: readonly Issue[], stored: EditionsByLanguage): LanguageFiles[] {
  return issues.map((each) => ({
    translation: translationLanguage(each),
    files: editionsOf(stored, each).files,
  }));
}

/** Kept for every campaign: a reader may ask for it attached (src/subscribers, "pdf"). */
function pdfAttachment(issue: Issue, editions: Editions) {
  return { filename: pdfFileName(issue.publication.slug, issue.code), content: editions.pdf };
}

/** One language's rendered editions; an internal error when they were not rendered. */
function editionsOf(stored: EditionsByLanguage, issue: Issue): Editions {
  const own = stored.get(issue.language);
  if (!own)
    throw new InternalError(
      `the ${issue.language} editions of ${issue.publication.slug}/${issue.code} were not rendered`,
    );
  return own;
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
 * Stores every language's served files in the database, in one transaction (see
 * published-editions.ts), the default's under <NNN>, each translation's under <language>/<NNN>.
 * Each site's record as written here keeps this machine's earlier anchors, and the database adds
 * its own: the record as stored is written back here.
 */
async function storeOnline(
  db: Db,
  issues: readonly Issue[],
  stored: EditionsByLanguage,
  dataDir: string,
): Promise<void> {
  const records = await db.transaction(async (tx) => {
    const written: Array<{ path: string; record: IssueRecord }> = [];
    for (const each of issues) {
      const recordPath = join(editionFolder(editionsRoot(dataDir), each), RECORD_FILE);
      const files = editionsOf(stored, each).files.map((file) =>
        file.name === RECORD_FILE && existsSync(recordPath)
          ? { ...file, contents: readFileSync(recordPath) }
          : file,
      );
      const key = editionKey(each.code, translationLanguage(each));
      const record = await storePublishedFilesIn(tx, each.publication.slug, key, files);
      if (record) written.push({ path: recordPath, record });
    }
    return written;
  });
  for (const { path, record } of records) {
    mkdirSync(dirname(path), { recursive: true }); // editions rendered but not written here
    writeFileSync(path, JSON.stringify(record));
  }
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
  const issues = [issue, ...(options.translations ?? [])];
  const stored = options.editions ?? (await storeLanguages(issues, options));
  // Online for every serve, in every language, before the campaign exists: nothing may be sent
  // before what it links to is stored.
  await storeOnline(deps.db, issues, stored, options.dataDir);
  const { campaign, created } = await createCampaign(
    deps.db,
    campaignInput(issues, stored, options),
    options.now,
  );
  const requeued = options.resendFailed ? await requeueFailed(deps.db, campaign.id) : 0;
  const current = (requeued && (await getCampaign(deps.db, campaign.id))) || campaign;
  // Enqueued again on every publish: existing job ids make this a no-op, and it heals a publish
  // that died half-way through enqueueing.
  const enqueued = current.status === 'sending' ? await enqueueBatches(deps.db, deps.queue, current) : 0;
  return { campaign: current, created, requeued, enqueued };
}
