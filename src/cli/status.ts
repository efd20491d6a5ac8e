import type { Command } from 'commander';
import {
  type Campaign,
  campaignChoices,
  campaignProgress,
  findCampaign,
  getCampaign,
  listCampaigns,
} from '../campaigns/store.ts';
import { formatWindow } from '../campaigns/window.ts';
import { fail } from '../problems.ts';
import type { Db } from '../store/db.ts';
import { type CliContext, withStore } from './context.ts';
import { describeWhen } from './schedule.ts';

/** A campaign named by id (12) or by issue (global-eye/005). */
export async function resolveCampaign(db: Db, ref: string): Promise<Campaign> {
  const byIssue = /^([\w-]+)\/(\d+)$/.exec(ref);
  const campaign = byIssue
    ? await findCampaign(db, byIssue[1] as string, Number(byIssue[2]))
    : /^\d+$/.test(ref)
      ? await getCampaign(db, Number(ref))
      : undefined;
  if (!campaign) {
    fail('no-campaign', { ref });
  }
  return campaign;
}

export async function describeCampaign(db: Db, campaign: Campaign): Promise<string> {
  const { counts, recipients } = await campaignProgress(db, campaign);
  const choices = await campaignChoices(db, campaign.id);
  const tally = (map: ReadonlyMap<string | null, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))
      .map(([key, n]) => `${key ?? 'default'} ${n}`)
      .join(' · ');
  const lines = [
    `campaign ${campaign.id}  ${campaign.publication}/${campaign.issueCode}  ${campaign.status}${campaign.statusReason ? ` (${campaign.statusReason})` : ''}`,
    `  subject     ${campaign.subject}`,
    `  created     ${campaign.createdAt.toISOString()}${campaign.finishedAt ? `   finished ${campaign.finishedAt.toISOString()}` : ''}`,
    ...(campaign.scheduledAt
      ? [`  scheduled   ${await describeWhen(campaign.scheduledAt, campaign.timeZone ?? 'UTC')}`]
      : []),
    ...(campaign.window
      ? [`  window      ${formatWindow(campaign.window)} ${campaign.window.timeZone}`]
      : []),
    `  recipients  ${campaign.status === 'scheduled' ? 'taken from the list at its time' : recipients}`,
    ...(['sent', 'queued', 'failed', 'bounced', 'skipped'] as const).map(
      (s) => `  ${s.padEnd(11)} ${counts[s]}`,
    ),
    `  languages   ${tally(choices.languages) || '-'}`,
    `  editions    ${tally(choices.editions) || '-'}`,
    `  formats     ${tally(choices.formats) || '-'}${choices.pdfAttached ? `   chose the PDF attached ${choices.pdfAttached}` : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function registerStatus(program: Command, context: CliContext): void {
  program
    .command('status')
    .description('progress of a campaign (per-status counts), or the latest campaigns')
    .argument('[campaign]', 'campaign id or publication/issue, e.g. global-eye/005')
    .action(async (ref?: string) => {
      await withStore(context.config(), async (db) => {
        if (ref) {
          context.stdout.write(await describeCampaign(db, await resolveCampaign(db, ref)));
          return;
        }
        const campaigns = await listCampaigns(db);
        if (!campaigns.length)
          context.stdout.write('No campaigns yet: `bulletin publish <issue.md>` starts one.\n');
        for (const c of campaigns) {
          const head = `${String(c.id).padStart(4)}  ${`${c.publication}/${c.issueCode}`.padEnd(28)} ${c.status.padEnd(9)}`;
          if (c.status === 'scheduled' && c.scheduledAt) {
            context.stdout.write(`${head} for ${await describeWhen(c.scheduledAt, c.timeZone ?? 'UTC')}\n`);
            continue;
          }
          const { counts } = await campaignProgress(db, c);
          context.stdout.write(
            `${head} sent ${counts.sent}/${c.recipients}, failed ${counts.failed}, bounced ${counts.bounced}, skipped ${counts.skipped}\n`,
          );
        }
      });
    });
}
