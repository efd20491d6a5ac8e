// The message of a campaign, composed once per worker process from the campaign's snapshot and
// kept while the campaign runs; recipients get their values spliced in (see message-template.ts).

import type { Campaign, CampaignSnapshot } from '../campaigns/store.ts';
import type { Issue } from '../issue/model.ts';
import { listHeaders } from '../list/headers.ts';
import type { ListIdentity } from '../list/list.ts';
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
  campaign: CampaignSnapshot;
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

/** The edition a reader is sent: in their language, or the default language's. */
export interface ChosenEdition {
  /** A translation's language code; undefined for the default language's edition. */
  translation?: string;
  subject: string;
  html: string;
  text: string;
  attachment?: { filename: string; content: Buffer };
}

/**
 * The campaign's edition in `language` (a reader's choice), falling back to the default
 * language's when the issue has no translation into it, or the reader chose none.
 */
export function campaignEdition(campaign: CampaignSnapshot, language: string | null): ChosenEdition {
  const translation = language ? campaign.translations.find((t) => t.language === language) : undefined;
  if (translation) return { ...translation, translation: translation.language };
  return {
    subject: campaign.subject,
    html: campaign.html,
    text: campaign.text,
    attachment: campaign.attachment,
  };
}

/** Whether a reader gets the PDF attached (when their edition has one): their choice, else the publication's default. */
export function attachesPdf(campaign: Campaign, choices: Pick<Choices, 'pdf'>): boolean {
  return choices.pdf ? choices.pdf === 'attach' : campaign.attachByDefault;
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
): CampaignSnapshot {
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
    language: issue.language,
    translations: [],
  };
}

export async function composeCampaignMessage(
  campaign: CampaignSnapshot,
  tokens: Tokens,
  date: Date,
): Promise<CampaignMessage> {
  const list: ListIdentity = { name: campaign.listName, address: campaign.listAddress };
  const edition: EditionRef = {
    publicUrl: campaign.publicUrl,
    publication: campaign.publication,
    issueCode: campaign.issueCode,
  };
  const headers = listHeaders(list, `${campaign.publicUrl}/${campaign.publication}/`);
  const compose = async (choices: Choices) => {
    const chosen = campaignEdition(campaign, choices.language);
    const attachment = attachesPdf(campaign, choices) ? chosen.attachment : undefined;
    // Loaded for the first reader who chose the notice: a worker otherwise needs no template engine.
    const notice =
      choices.format === 'notice' &&
      (await import('../render/notice.ts')).renderNotice({
        listName: campaign.listName,
        subject: chosen.subject,
        // A campaign from before 270 does not say its language: the reference catalogue's.
        language: chosen.translation ?? campaign.language ?? 'en',
        attached: Boolean(attachment),
      });
    return MessageTemplate.compose({
      from: { name: campaign.listName, address: campaign.listAddress },
      subject: chosen.subject,
      html: notice ? notice.html : choices.format === 'text' ? undefined : chosen.html,
      text: notice ? notice.text : chosen.text,
      // The web and PDF links of the edition sent: /<publication>/fr/<NNN>/ for a French reader.
      issue: issueValues({ ...edition, language: chosen.translation }),
      headers,
      attachments: attachment ? [{ ...attachment, contentType: 'application/pdf' }] : undefined,
      date,
    });
  };
  const variants = new Map<string, Promise<MessageTemplate>>();
  const templateFor = (choices: Choices) => {
    const key = [
      campaignEdition(campaign, choices.language).translation ?? '',
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
