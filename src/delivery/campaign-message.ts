// The message of a campaign, composed once per worker process from the campaign's snapshot and
// kept while the campaign runs; recipients get their values spliced in (see message-template.ts).

import type { Campaign } from '../campaigns/store.ts';
import type { Issue } from '../issue/model.ts';
import { listHeaders } from '../list/headers.ts';
import type { ListIdentity } from '../list/list.ts';
import { renderNotice } from '../render/notice.ts';
import {
  type EditionRef,
  issueValues,
  type RecipientValues,
  recipientValues,
} from '../render/replacements.ts';
import type { Choices } from '../subscribers/model.ts';
import type { Tokens } from '../tokens.ts';
import { MessageTemplate } from './message-template.ts';

export interface CampaignMessage {
  campaign: Campaign;
  /** The full email in the default language, the PDF as the publication says. */
  template: MessageTemplate;
  /**
   * The message for a reader's choices: their language's edition (or the default), the full email,
   * its text part alone or the short notice, the PDF attached or not. Each variant is composed once
   * per campaign (and process) and personalised by splicing, like the default one.
   */
  templateFor(choices: Choices): Promise<MessageTemplate>;
  /** Everything one recipient's copy needs (the replacement table's values), with freshly signed tokens. */
  recipient(subscriber: { id: number; email: string }): RecipientValues;
}

/** One language's edition of a campaign's email. */
export interface CampaignEdition {
  /** Null: the campaign's own (default) language. */
  language: string | null;
  subject: string;
  html: string;
  text: string;
}

/**
 * The campaign's edition in `language`, falling back to the default language's when there is none.
 * Seam for the translations (issue 15): today a campaign holds one edition, its default language's;
 * they add the editions per language to the snapshot and look them up here.
 */
export function campaignEdition(campaign: Campaign, _language: string | null): CampaignEdition {
  return { language: null, subject: campaign.subject, html: campaign.html, text: campaign.text };
}

/** Whether a reader gets the PDF attached: their choice, else the publication's (campaign's) default. */
export function attachesPdf(campaign: Campaign, choices: Pick<Choices, 'pdf'>): boolean {
  return Boolean(campaign.attachment) && (choices.pdf ? choices.pdf === 'attach' : campaign.attachByDefault);
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
    attachByDefault: false,
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
  const issue = issueValues(edition);
  const headers = listHeaders(list, `${campaign.publicUrl}/${campaign.publication}/`);
  const compose = (choices: Choices) => {
    const chosen = campaignEdition(campaign, choices.language);
    const attached = attachesPdf(campaign, choices);
    const notice =
      choices.format === 'notice' &&
      renderNotice({
        listName: campaign.listName,
        subject: chosen.subject,
        language: chosen.language,
        attached,
      });
    return MessageTemplate.compose({
      from: { name: campaign.listName, address: campaign.listAddress },
      subject: chosen.subject,
      html: notice ? notice.html : choices.format === 'text' ? undefined : chosen.html,
      text: notice ? notice.text : chosen.text,
      issue,
      headers,
      attachments:
        attached && campaign.attachment
          ? [{ ...campaign.attachment, contentType: 'application/pdf' }]
          : undefined,
      date,
    });
  };
  const variants = new Map<string, Promise<MessageTemplate>>();
  const templateFor = (choices: Choices) => {
    const key = [
      campaignEdition(campaign, choices.language).language,
      choices.format,
      attachesPdf(campaign, choices),
    ].join('|');
    let variant = variants.get(key);
    if (!variant) {
      variant = compose(choices);
      // A failed compose must not stay cached.
      variant.catch(() => variants.delete(key));
      variants.set(key, variant);
    }
    return variant;
  };
  const template = await templateFor({ language: null, format: 'html', pdf: null });
  return {
    campaign,
    template,
    templateFor,
    recipient: (subscriber) =>
      recipientValues({ ...edition, campaignId: campaign.id, list, tokens, subscriber }),
  };
}
