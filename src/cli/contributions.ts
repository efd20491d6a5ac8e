import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { fail } from '../problems.ts';
import { type CliContext, withStore } from './context.ts';
import { listFromOptions } from './subscribers.ts';

interface ListOptions {
  publication?: string;
  issues: string;
}

function idOrFail(value: string): number {
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 ? id : fail('invalid-id', { value });
}

export function registerContributions(program: Command, context: CliContext): void {
  const contributions = program
    .command('contributions')
    .description('read what was sent to the list address for the editors')
    .option(
      '--publication <slug>',
      'the publication (its folder under issues/); needed when there are several',
    )
    .option('--issues <dir>', 'where publications live', 'issues');
  const chosen = () => listFromOptions(contributions.opts<ListOptions>());
  const load = () => import('../inbound/contributions.ts');
  const out = (line: string) => context.stdout.write(`${line}\n`);

  contributions
    .command('list')
    .description('newest first: number, date, sender, subject, attachments')
    .option('--limit <n>', 'how many', '50')
    .action(async (options: { limit: string }) => {
      const list = await chosen();
      const { listContributions } = await load();
      await withStore(context.config(), async (db) => {
        for (const c of await listContributions(db, list.slug, Number(options.limit) || 50)) {
          const from = c.fromName
            ? `${c.fromName} <${c.fromAddress ?? '?'}>`
            : (c.fromAddress ?? '(no From)');
          const files = c.attachments
            ? `  [${c.attachments} attachment${c.attachments === 1 ? '' : 's'}]`
            : '';
          const held = c.heldReason ? `  (held: ${c.heldReason})` : '';
          const handled = c.handledAt ? `  (handled by ${c.handledBy ?? '?'})` : '';
          out(
            `${c.id}\t${c.receivedAt.toISOString().slice(0, 16).replace('T', ' ')}\t${from}\t${c.subject ?? '(no subject)'}${files}${held}${handled}`,
          );
        }
      });
    });

  contributions
    .command('show')
    .description('one contribution: sender, subject, text and attachment list')
    .argument('<number>')
    .action(async (number: string) => {
      const list = await chosen();
      const { getContribution } = await load();
      await withStore(context.config(), async (db) => {
        const c = await getContribution(db, list.slug, idOrFail(number));
        if (!c) fail('unknown-contribution', { number, slug: list.slug });
        out(`From:     ${c.fromName ? `${c.fromName} <${c.fromAddress}>` : (c.fromAddress ?? '(none)')}`);
        out(`Envelope: ${c.envelopeFrom ?? '<>'}`);
        out(`Date:     ${c.receivedAt.toISOString()}`);
        out(`Subject:  ${c.subject ?? ''}`);
        for (const a of c.attachmentList)
          out(`Attached: ${a.filename ?? '(unnamed)'} (${a.contentType}, ${a.size} bytes)`);
        out('');
        out(c.text ?? '(no text part)');
      });
    });

  contributions
    .command('export')
    .description('write contributions as <dir>/<number>/message.eml plus their attachments')
    .requiredOption('-o, --output <dir>', 'folder to write into')
    .argument('[numbers...]', 'which ones (default: all)')
    .action(async (numbers: string[], options: { output: string }) => {
      const list = await chosen();
      const { contributionFiles, listContributions, safeAttachmentName } = await load();
      await withStore(context.config(), async (db) => {
        const ids = numbers.length
          ? numbers.map(idOrFail)
          : (await listContributions(db, list.slug, Number.MAX_SAFE_INTEGER)).map((c) => c.id);
        for (const id of ids) {
          const files = await contributionFiles(db, list.slug, id);
          if (!files) fail('unknown-contribution', { number: id, slug: list.slug });
          const dir = join(options.output, String(id));
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'message.eml'), files.raw);
          // Numbered, so two attachments with the same name both survive.
          files.attachments.forEach((a, i) => {
            writeFileSync(join(dir, `${i + 1}-${safeAttachmentName(a.filename, 'attachment')}`), a.content);
          });
        }
        context.stderr.write(
          `${ids.length} contribution${ids.length === 1 ? '' : 's'} written to ${options.output}\n`,
        );
      });
    });
}
