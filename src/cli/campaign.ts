import type { Command } from 'commander';
import { cancelCampaign, setCampaignStatus } from '../campaigns/store.ts';
import { fail } from '../problems.ts';
import { type CliContext, withStore } from './context.ts';
import { describeCampaign, resolveCampaign } from './status.ts';
import { type DeliveryFlags, deliveryOptions, settingsFrom } from './worker.ts';

/** `bulletin pause|resume|cancel <campaign>`. */
export function registerCampaignControl(program: Command, context: CliContext): void {
  program
    .command('pause')
    .description('stop sending a campaign; batches in progress finish, the rest wait for `resume`')
    .argument('<campaign>', 'campaign id or publication/issue')
    .action(async (ref: string) => {
      await withStore(context.config(), async (db) => {
        const campaign = await resolveCampaign(db, ref);
        if (!(await setCampaignStatus(db, campaign.id, ['sending'], 'paused', 'paused by an operator'))) {
          fail('not-sending', { id: campaign.id, status: campaign.status });
        }
        context.stdout.write(await describeCampaign(db, await resolveCampaign(db, String(campaign.id))));
      });
    });

  deliveryOptions(
    program
      .command('resume')
      .description(
        'continue a paused campaign (also after the circuit breaker paused it), delivering it from this process as publish does',
      )
      .argument('<campaign>', 'campaign id or publication/issue')
      .option('--detach', 'only queue its batches; `bulletin worker` processes deliver it'),
  ).action(async (ref: string, flags: DeliveryFlags & { detach?: boolean }) => {
    const [{ openDelivery }, { enqueueBatches, workersLine }, { deliverHere }] = await Promise.all([
      import('../delivery/runtime.ts'),
      import('../campaigns/enqueue.ts'),
      import('./publish.ts'),
    ]);
    const delivery = await openDelivery(context.config(), settingsFrom(flags));
    try {
      const campaign = await resolveCampaign(delivery.db, ref);
      if (!(await setCampaignStatus(delivery.db, campaign.id, ['paused'], 'sending', null))) {
        fail('not-paused', { id: campaign.id, status: campaign.status });
      }
      const jobs = await enqueueBatches(delivery.db, delivery.queue, campaign);
      context.stdout.write(`Campaign ${campaign.id} resumed: ${jobs} batch(es) queued.\n`);
      if (flags.detach) context.stdout.write(await workersLine(delivery.queue));
      else await deliverHere(delivery, campaign.id, context);
    } finally {
      await delivery.close();
    }
  });

  program
    .command('cancel')
    .description('end a campaign: recipients not yet sent are skipped')
    .argument('<campaign>', 'campaign id or publication/issue')
    .action(async (ref: string) => {
      const scheduled = await withStore(context.config(), async (db) => {
        const campaign = await resolveCampaign(db, ref);
        if (campaign.status === 'scheduled') return campaign.id;
        if (!(await cancelCampaign(db, campaign.id, context.clock.date()))) {
          fail('not-active', { id: campaign.id, status: campaign.status });
        }
        context.stdout.write(await describeCampaign(db, await resolveCampaign(db, String(campaign.id))));
        return undefined;
      });
      // Waiting for its time: its wake-up job goes too (Redis), and the issue can be sent again.
      if (scheduled !== undefined)
        await (await import('./schedule.ts')).cancelScheduledCommand(scheduled, context);
    });
}
