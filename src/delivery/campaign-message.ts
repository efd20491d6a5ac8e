// The message of a campaign, composed once per worker process from the campaign's snapshot and
// kept while the campaign runs; recipients get their values spliced in (see message-template.ts).

import type { Campaign } from '../campaigns/store.ts';
import type { Issue } from '../issue/model.ts';
import { listHeaders } from '../list/headers.ts';
import type { ListIdentity } from '../list/list.ts';
import {
  type EditionRef,
  issueValues,
  type RecipientValues,
  recipientValues,
} from '../render/replacements.ts';
import type { Tokens } from '../tokens.ts';
import { MessageTemplate } from './message-template.ts';

export interface CampaignMessage {
  campaign: Campaign;
  template: MessageTemplate;
  /** Everything one recipient's copy needs (the replacement table's values), with freshly signed tokens. */
  recipient(subscriber: { id: number; email: string }): RecipientValues;
}

/**
 * A campaign that is never recorded, for a proof or a benchmark: the issue's email as subscribers
 * get it, with id 0 (its unsubscribe links name nobody).
 */
export function unrecordedCampaign(
  issue: Issue,
  email: { subject: string; html: string; text: string },
  publicUrl: string,
  recipients: number,
  createdAt: Date,
): Campaign {
  return {
    id: 0,
    publication: issue.publication.slug,
    issueNumber: issue.number,
    issueCode: issue.code,
    ...email,
    listName: issue.publication.name,
    listAddress: issue.publication.listAddress,
    publicUrl,
    batchSize: 1,
    status: 'sending',
    statusReason: null,
    round: 0,
    recipients,
    createdAt,
    finishedAt: null,
    scheduledAt: null,
    timeZone: null,
    window: null,
  };
}

export async function composeCampaignMessage(
  campaign: Campaign,
  tokens: Tokens,
  date: Date,
): Promise<CampaignMessage> {
  const list: ListIdentity = { name: campaign.listName, address: campaign.listAddress };
  const edition: EditionRef = {
    publicUrl: campaign.publicUrl,
    publication: campaign.publication,
    issueCode: campaign.issueCode,
  };
  const template = await MessageTemplate.compose({
    from: { name: campaign.listName, address: campaign.listAddress },
    subject: campaign.subject,
    html: campaign.html,
    text: campaign.text,
    issue: issueValues(edition),
    headers: listHeaders(list, `${campaign.publicUrl}/${campaign.publication}/`),
    attachments: campaign.attachment && [{ ...campaign.attachment, contentType: 'application/pdf' }],
    date,
  });
  return {
    campaign,
    template,
    recipient: (subscriber) =>
      recipientValues({ ...edition, campaignId: campaign.id, list, tokens, subscriber }),
  };
}
