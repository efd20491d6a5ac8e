import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { type List, listLanguages } from '../list/list.ts';
import { BulletinError, fail } from '../problems.ts';
import { normaliseAddress } from '../subscribers/address.ts';
import { STATUSES, type Status } from '../subscribers/model.ts';
import {
  addConfirmed,
  countByStatus,
  eraseSubscriber,
  findSubscriber,
  streamSubscribers,
} from '../subscribers/store.ts';
import { type CliContext, withStore } from './context.ts';

interface ListOptions {
  publication?: string;
  issues: string;
}

/** The list chosen by the shared --publication/--issues options. */
export async function listFromOptions(options: ListOptions): Promise<List> {
  const { loadLists, pickList } = await import('../subscribers/lists.ts');
  const { lists, problems } = loadLists(options.issues);
  const list = pickList(lists, options.publication);
  if ('code' in list) throw new BulletinError([...problems, list]);
  return list;
}

function addressOrFail(input: string): string {
  return normaliseAddress(input) ?? fail('invalid-address', { input });
}

function statusOrFail(input: string | undefined): Status | undefined {
  if (input === undefined) return undefined;
  if ((STATUSES as readonly string[]).includes(input)) return input as Status;
  return fail('invalid-status', { input, statuses: STATUSES });
}

export function registerSubscribers(program: Command, context: CliContext): void {
  const subscribers = program
    .command('subscribers')
    .description("manage a publication's subscribers")
    .option(
      '--publication <slug>',
      'the publication (its folder under issues/); needed when there are several',
    )
    .option('--issues <dir>', 'where publications live', 'issues');
  const chosen = () => listFromOptions(subscribers.opts<ListOptions>());
  const store = <T>(work: Parameters<typeof withStore<T>>[1]) => withStore(context.config(), work);
  const out = (line: string) => context.stdout.write(`${line}\n`);
  const commandLine = () => ({ actor: 'command line', now: context.clock.date() });

  subscribers
    .command('list')
    .description('print subscribers (email, status, name), then counts by status')
    .option('--status <status>', `only this status (${STATUSES.join(', ')})`)
    .action(async (options: { status?: string }) => {
      const list = await chosen();
      const status = statusOrFail(options.status);
      await store(async (db) => {
        for await (const s of streamSubscribers(db, list.slug, { status })) {
          out(`${s.email}\t${s.status}\t${s.name ?? ''}`);
        }
        const counts = await countByStatus(db, list.slug);
        context.stderr.write(
          `${Object.entries(counts)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}\n`,
        );
      });
    });

  subscribers
    .command('add')
    .description('add a confirmed subscriber who gave consent elsewhere (never one who opted out)')
    .argument('<email>')
    .option('--name <name>')
    .action(async (email: string, options: { name?: string }) => {
      const list = await chosen();
      const address = addressOrFail(email);
      await store(async (db) => {
        const { result } = await addConfirmed(db, {
          publication: list.slug,
          email: address,
          name: options.name,
          evidence: 'bulletin subscribers add',
          now: context.clock.date(),
        });
        if (result === 'opted-out') fail('opted-out', { address, slug: list.slug });
        if (result === 'erased') fail('address-erased', { address, slug: list.slug });
        out(`${address}: ${result}`);
      });
    });

  subscribers
    .command('remove')
    .description('unsubscribe an address (the row and its history are kept)')
    .argument('<email>')
    .action(async (email: string) => {
      const list = await chosen();
      const address = addressOrFail(email);
      await store(async (db) => {
        const { unsubscribeBy } = await import('../subscribers/editors.ts');
        const s = await findSubscriber(db, list.slug, address);
        const removed = s && (await unsubscribeBy(db, list.slug, s.id, commandLine()));
        out(`${address}: ${removed ? 'unsubscribed' : s ? `unchanged (${s.status})` : 'not on the list'}`);
      });
    });

  subscribers
    .command('erase')
    .description(
      'delete an address and its consent record for good (GDPR erasure); no import or add brings it back',
    )
    .argument('<email>')
    .action(async (email: string) => {
      const list = await chosen();
      const address = addressOrFail(email);
      await store(async (db) => {
        const erased = await eraseSubscriber(db, list.slug, address, commandLine());
        out(`${address}: ${erased ? 'erased' : 'not on the list'}`);
      });
    });

  subscribers
    .command('import')
    .description(
      'import CSV with a header row: email,name,status and optionally language,format,pdf (also listmonk and Mailchimp exports)',
    )
    .argument('<file>', 'CSV file, or - for standard input')
    .option('--status <status>', 'status for rows without one', 'confirmed')
    .action(async (file: string, options: { status: string }) => {
      const list = await chosen();
      const defaultStatus = statusOrFail(options.status);
      const { ImportFormatError, importSubscribers } = await import('../subscribers/import.ts');
      const input = await openInput(file);
      const started = performance.now();
      const report = await store((db) =>
        importSubscribers(db, input, {
          publication: list.slug,
          source: file,
          defaultStatus,
          languages: listLanguages(list),
          now: context.clock.date(),
        }).catch((err: unknown) => {
          if (err instanceof ImportFormatError) fail('import-format', { reason: err.message }, { file });
          throw err;
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      out(
        `${report.imported} imported, ${report.updated} updated, ${report.skipped} skipped in ${seconds.toFixed(1)} s`,
      );
      if (report.statuses.size) {
        const statuses = [...report.statuses].map(([status, n]) => `${n} ${status}`).join(', ');
        out(`  as ${statuses}; consent evidence kept for ${report.withEvidence}`);
      }
      if (report.reasons.size) out(skippedTable(report.reasons));
    });

  subscribers
    .command('export')
    .description('write CSV: email, name, status, source, timestamps, consent, and language, format, pdf')
    .option('-o, --output <file>', 'write here instead of standard output')
    .option('--status <status>', 'only this status')
    .action(async (options: { output?: string; status?: string }) => {
      const list = await chosen();
      const status = statusOrFail(options.status);
      const { exportSubscribers } = await import('../subscribers/export.ts');
      const file = options.output ? createWriteStream(options.output) : undefined;
      const count = await store((db) =>
        exportSubscribers(db, list.slug, file ?? (context.stdout as Writable), { status }),
      );
      if (file) {
        file.end();
        await finished(file);
      }
      context.stderr.write(`${count} subscribers exported\n`);
    });
}

/** What an import skipped, one reason a line (in file order): count, why, the first line numbers. */
function skippedTable(reasons: Map<string, { count: number; lines: number[] }>): string {
  const rows = [...reasons]
    .sort(([, a], [, b]) => (a.lines[0] ?? 0) - (b.lines[0] ?? 0))
    .map(([reason, { count, lines }]) => [
      String(count),
      reason,
      `${lines.join(', ')}${count > lines.length ? ', …' : ''}`,
    ]);
  const countWidth = Math.max('skipped'.length, ...rows.map((r) => r[0]?.length ?? 0));
  const whyWidth = Math.max('why'.length, ...rows.map((r) => r[1]?.length ?? 0));
  return [['skipped', 'why', 'lines'], ...rows]
    .map(([count, why, lines]) => `  ${count?.padStart(countWidth)}  ${why?.padEnd(whyWidth)}  ${lines}`)
    .join('\n');
}

/**
 * The CSV to import, opened before the store is: a missing file or a folder is one line
 * (file-not-found, file-is-a-folder), not a stream error that nobody listens to yet.
 */
async function openInput(file: string): Promise<Readable> {
  if (file === '-') return process.stdin;
  const handle = await open(file);
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    fail('file-is-a-folder', { reason: `${file} is a folder.` });
  }
  return handle.createReadStream();
}
