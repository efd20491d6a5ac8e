import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { listMessageId } from '../list/headers.ts';
import { outboxDir } from '../outbound/outbox.ts';
import { normaliseAddress } from '../subscribers/address.ts';
import { loadIssueOrFail } from './build.ts';
import type { CliContext } from './context.ts';

/** `bulletin proof <issue.md> --to a@x b@y`: the email exactly as subscribers will get it, to editors. */
export function registerProof(program: Command, context: CliContext): void {
  program
    .command('proof')
    .description('send a test copy of the email edition to the given addresses (no campaign is recorded)')
    .argument('<issue>', 'issue file, e.g. issues/global-eye/006.md')
    .requiredOption('--to <address...>', 'where to send the proof')
    .action(async (file: string, options: { to: string[] }) => {
      const config = context.config();
      const issue = await loadIssueOrFail(file, context);
      const addresses = options.to.map((a) => ({ given: a, address: normaliseAddress(a) }));
      const invalid = addresses.filter((a) => !a.address).map((a) => a.given);
      if (invalid.length) {
        context.stderr.write(`error invalid-address: Not an email address: ${invalid.join(', ')}.\n`);
        context.exitCode = 1;
        return;
      }
      const [
        { composeCampaignMessage, unrecordedCampaign },
        { openSender },
        { renderEmail },
        { renderText },
        { createTokens, loadSecret },
      ] = await Promise.all([
        import('../delivery/campaign-message.ts'),
        import('../outbound/open.ts'),
        import('../render/email/index.ts'),
        import('../render/text/index.ts'),
        import('../tokens.ts'),
      ]);
      const email = await renderEmail(issue);
      const now = context.clock.date();
      const message = await composeCampaignMessage(
        unrecordedCampaign(
          issue,
          { subject: `[Proof] ${email.subject}`, html: email.html, text: renderText(issue) },
          config.publicUrl,
          addresses.length,
          now,
        ),
        createTokens(loadSecret(config), context.clock),
        now,
      );
      const sender = openSender(config, { connections: 1, messagesPerConnection: 100 });
      try {
        for (const { address } of addresses) {
          // A proof goes to no subscriber: its unsubscribe link names nobody (id 0) and does nothing.
          const values = {
            ...message.recipient({ id: 0, email: address as string }),
            message_id: listMessageId(issue.publication.listAddress, `proof.${randomUUID()}`),
          };
          const result = await sender.send(
            { from: values.return_path, to: values.to },
            message.template.personalise(values),
          );
          context.stdout.write(
            result.kind === 'sent'
              ? `proof sent to ${address}\n`
              : `proof to ${address} ${result.kind}: ${result.reason}\n`,
          );
          if (result.kind !== 'sent') context.exitCode = 1;
        }
      } finally {
        await sender.close();
      }
      if (!config.smtpUrl)
        context.stdout.write(`SMTP_URL is not set: the proof is in ${outboxDir(config.dataDir)}.\n`);
    });
}
