// The state changes a confirmation token allows, with the mail that follows each. Shared by the
// inbound mail handler (replies to confirmation emails) and the web pages (buttons, one-click).

import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { listAddress } from '../list/addresses.ts';
import { DEFAULT_CHOICE, type List, primaryLanguage, readerLanguage } from '../list/list.ts';
import type { ListMailer } from '../list/mail.ts';
import { sendReply } from '../list/replies.ts';
import type { ListTemplates } from '../list/templates.ts';
import { messagesFor } from '../messages/index.ts';
import { editionUrls } from '../render/replacements.ts';
import type { Db } from '../store/db.ts';
import { preferencesUrl, type TokenPurpose, type Tokens, unsubscribeUrl } from '../tokens.ts';
import type { Choices, ConsentMethod, Source, Subscriber } from './model.ts';
import { type SubscriberRecord, subscriberRecord } from './record.ts';
import {
  applyChange,
  type ChangeFields,
  confirmSubscription,
  eraseSubscriber,
  findSubscriber,
  getChange,
  getMergedSubscriber,
  getSubscriber,
  type PendingChange,
  requestChange,
  requestSubscription,
  setChoices,
  unsubscribe,
} from './store.ts';

export interface ActionDeps {
  db: Db;
  lists: readonly List[];
  tokens: Tokens;
  mailer: ListMailer;
  templates: ListTemplates;
  publicUrl: string;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface TokenTarget {
  list: List;
  subscriber: Subscriber;
  purpose: TokenPurpose;
}

/** The incoming message an action answers: threading, and the addresses it already answered. */
export interface Answering {
  inReplyTo?: string;
  answered?: Set<string>;
}

/** A change waiting for its owner (src/subscribers/store.ts): whose, and what it sets. */
export interface ChangeTarget {
  list: List;
  subscriber: Subscriber;
  changeId: number;
  name: string | null;
  change: PendingChange;
}

export interface ListActions {
  /** PUBLIC_URL: the readers' pages accept POSTs from its origin (besides the request's own host). */
  publicUrl: string;
  /** The publication's list, by its slug. */
  list(slug: string): List | undefined;
  /**
   * Someone asked to join: only the address itself is mailed, asking it to confirm (or welcomed
   * again when already subscribed), so a request made for somebody else changes nothing. An
   * existing subscriber is left as is (status and name); a confirmed one asked for under another
   * name is mailed a link to confirm the new name instead of the welcome. Mail is capped per address
   * (src/list/replies.ts); an address that complained or bounced is mailed only when the
   * request came from the web form.
   */
  requestSubscription(
    list: List,
    who: { address: string; name?: string },
    request: { source: Source; language?: string } & Answering,
  ): Promise<void>;
  /**
   * A confirmed reader's choices (language, format, PDF) asked for by mail: the change waits for
   * the owner, who is mailed a link (and may reply) to confirm it; the sender of the request is no
   * proof. Capped like every automatic mail.
   */
  requestChoices(
    list: List,
    subscriber: Subscriber,
    choices: Pick<ChangeFields, 'language' | 'format' | 'pdf'>,
    answering?: Answering,
  ): Promise<void>;
  /**
   * A move to another address, asked for on the preference page: confirmed by a link mailed to the
   * NEW address; the old one is told once it is done. False when the new address is already on the list.
   */
  requestAddressChange(list: List, subscriber: Subscriber, newAddress: string): Promise<boolean>;
  /** The reader's own choices from the preference page, whose signed link is the owner's proof. */
  setChoices(target: TokenTarget, choices: Partial<Choices>): Promise<Subscriber | undefined>;
  /** Everything held about the reader, for their own download (record.ts). */
  record(target: TokenTarget): Promise<SubscriberRecord | undefined>;
  /** Erases the reader (GDPR): the row, its consent record and history (store.ts, eraseSubscriber). */
  erase(target: TokenTarget): Promise<boolean>;
  /** The list and subscriber a token names, if it is valid, unexpired and of one of `purposes`. */
  resolve(token: string, purposes: TokenPurpose[]): Promise<TokenTarget | undefined>;
  /** Confirms a subscription and sends the welcome; false when there was nothing to confirm. */
  confirm(
    target: TokenTarget,
    consent: { method: ConsentMethod; evidence: string } & Answering,
  ): Promise<boolean>;
  /** The change a `change` token names, if the token is valid and the change can still apply. */
  resolveChange(token: string): Promise<ChangeTarget | undefined>;
  /** Applies the change, with the owner's proof; false when it no longer can (used, stale). */
  applyChange(target: ChangeTarget, consent: { evidence: string }): Promise<boolean>;
  /** Unsubscribes and sends the confirmation of removal; false when not subscribed. */
  unsubscribe(target: TokenTarget, answering?: Answering): Promise<boolean>;
  /** The welcome email: links to the latest issue and a personal unsubscribe link. */
  welcome(list: List, subscriber: Subscriber, answering?: Answering): Promise<void>;
}

export function createListActions(deps: ActionDeps): ListActions {
  const { db, tokens, log } = deps;

  async function welcome(list: List, s: Subscriber, answering: Answering = {}) {
    const edition = list.latestIssue ? editionUrls(deps.publicUrl, list.slug, list.latestIssue) : undefined;
    await sendReply(deps, {
      list,
      to: s.email,
      language: s.language,
      template: 'welcome',
      ...answering,
      values: {
        address: s.email,
        latest: edition && { webUrl: edition.web_url, pdfUrl: edition.pdf_url },
        unsubscribeUrl: unsubscribeUrl(deps.publicUrl, tokens, s),
        preferencesUrl: preferencesUrl(deps.publicUrl, tokens, s),
      },
    });
  }

  return {
    publicUrl: deps.publicUrl,
    welcome,
    list: (slug) => deps.lists.find((l) => l.slug === slug),
    async requestChoices(list, subscriber, choices, answering = {}) {
      const change = await requestChange(db, subscriber, {
        ...choices,
        requestedBy: 'email',
        now: deps.clock.date(),
      });
      const token = tokens.sign('change', { ...subscriber, id: change.id });
      await sendReply(deps, {
        list,
        to: subscriber.email,
        inReplyTo: answering.inReplyTo,
        answered: answering.answered,
        template: 'confirm-change',
        language: subscriber.language,
        replyTo: listAddress(list.address, { kind: 'confirm', token }),
        values: {
          address: subscriber.email,
          change: describeChange(change, list, readerLanguage(list, subscriber.language)),
          replyConfirms: true,
          confirmUrl: `${deps.publicUrl}/change/${token}`,
        },
      });
      log.info({ list: list.slug, subscriber: subscriber.id }, 'change of choices requested');
    },
    async requestAddressChange(list, subscriber, newAddress) {
      const taken = await findSubscriber(db, list.slug, newAddress);
      if (taken) return false;
      const change = await requestChange(db, subscriber, {
        email: newAddress,
        requestedBy: 'preferences',
        now: deps.clock.date(),
      });
      const token = tokens.sign('change', { ...subscriber, id: change.id });
      await sendReply(deps, {
        list,
        to: newAddress,
        template: 'confirm-change',
        language: subscriber.language,
        values: {
          address: subscriber.email,
          change: describeChange(change, list, readerLanguage(list, subscriber.language)),
          confirmUrl: `${deps.publicUrl}/change/${token}`,
        },
      });
      log.info({ list: list.slug, subscriber: subscriber.id }, 'change of address requested');
      return true;
    },
    async setChoices({ list, subscriber }, choices) {
      const changed = await setChoices(db, subscriber.id, choices, deps.clock.date());
      log.info({ list: list.slug, subscriber: subscriber.id, ...choices }, 'choices changed');
      return changed;
    },
    record: ({ subscriber }) => subscriberRecord(db, subscriber.id),
    async erase({ list, subscriber }) {
      const erased = await eraseSubscriber(db, list.slug, subscriber.email, {
        actor: 'the reader (preferences page)',
        now: deps.clock.date(),
      });
      if (erased) log.info({ list: list.slug, subscriber: subscriber.id }, 'erased at the reader’s request');
      return erased;
    },
    async requestSubscription(list, who, request) {
      const s = await requestSubscription(db, {
        publication: list.slug,
        email: who.address,
        name: who.name,
        language: request.language,
        source: request.source,
        now: deps.clock.date(),
      });
      const answering = { inReplyTo: request.inReplyTo, answered: request.answered };
      if (s.status === 'confirmed' && who.name && who.name !== s.name) {
        // Only the owner may rename: the change waits for them, and the requester sees the same page.
        const change = await requestChange(db, s, {
          name: who.name,
          requestedBy: request.source,
          now: deps.clock.date(),
        });
        const token = tokens.sign('change', { ...s, id: change.id });
        await sendReply(deps, {
          list,
          to: s.email,
          language: s.language,
          ...answering,
          template: 'confirm-change',
          values: { address: s.email, name: who.name, confirmUrl: `${deps.publicUrl}/change/${token}` },
        });
        log.info({ list: list.slug, subscriber: s.id, source: request.source }, 'change requested');
        return;
      }
      if (s.status === 'confirmed') {
        await welcome(list, s, answering);
        return;
      }
      const token = tokens.sign('subscribe', s);
      await sendReply(deps, {
        list,
        to: s.email,
        // The language asked for now, though an earlier request's row keeps its own.
        language: request.language ?? s.language,
        ...answering,
        ownerAsked: request.source === 'web',
        template: 'confirm-subscribe',
        replyTo: listAddress(list.address, { kind: 'confirm', token }),
        values: { address: s.email, confirmUrl: `${deps.publicUrl}/confirm/${token}` },
      });
      log.info({ list: list.slug, subscriber: s.id, source: request.source }, 'subscription requested');
    },
    async resolve(token, purposes) {
      const claims = tokens.read(token);
      if (!claims || !purposes.includes(claims.purpose)) return undefined;
      let subscriber = await getSubscriber(db, claims.subscriberId);
      if (!subscriber && claims.purpose !== 'subscribe') {
        // A row merged into another (same mailbox, other case): its unsubscribe links and VERP
        // addresses, already out in the world, act on the row that stands for the mailbox now.
        const merged = await getMergedSubscriber(db, claims.subscriberId);
        if (merged && tokens.verify(token, claims.purpose, merged.absorbed)) subscriber = merged.into;
        else return undefined;
      } else if (!subscriber || !tokens.verify(token, claims.purpose, subscriber)) return undefined;
      const found = subscriber;
      const list = found && deps.lists.find((l) => l.slug === found.publication);
      return list && found && { list, subscriber: found, purpose: claims.purpose };
    },
    async resolveChange(token) {
      const claims = tokens.read(token);
      if (claims?.purpose !== 'change') return undefined;
      const change = await getChange(db, claims.subscriberId);
      const subscriber = change && (await getSubscriber(db, change.subscriberId));
      if (!change || !subscriber || change.confirmedAt) return undefined;
      if (subscriber.status !== 'confirmed' || subscriber.generation !== change.generation) return undefined;
      if (!tokens.verify(token, 'change', { ...subscriber, id: change.id })) return undefined;
      const list = deps.lists.find((l) => l.slug === subscriber.publication);
      return list && { list, subscriber, changeId: change.id, name: change.name, change };
    },
    async applyChange({ list, subscriber, changeId }, consent) {
      const changed = await applyChange(db, changeId, { evidence: consent.evidence, now: deps.clock.date() });
      if (!changed) return false;
      log.info({ list: list.slug, subscriber: subscriber.id, change: changeId }, 'change confirmed');
      if (changed.email !== subscriber.email) {
        // The old address is told, so a move it did not ask for does not go unnoticed.
        await sendReply(deps, {
          list,
          to: subscriber.email,
          language: changed.language,
          template: 'address-changed',
          values: { address: subscriber.email, newAddress: changed.email },
        });
      }
      return true;
    },
    async confirm({ list, subscriber }, consent) {
      // Guarded by the generation the token was checked against: of two clicks at once, one acts.
      const confirmed = await confirmSubscription(db, subscriber.id, {
        ...consent,
        generation: subscriber.generation,
        now: deps.clock.date(),
      });
      if (!confirmed) return false;
      log.info(
        { list: list.slug, subscriber: subscriber.id, method: consent.method },
        'subscription confirmed',
      );
      await welcome(list, confirmed, { inReplyTo: consent.inReplyTo, answered: consent.answered });
      return true;
    },
    async unsubscribe({ list, subscriber }, answering = {}) {
      const left = await unsubscribe(db, subscriber.id, deps.clock.date());
      if (!left) return false;
      log.info({ list: list.slug, subscriber: subscriber.id }, 'unsubscribed');
      await sendReply(deps, {
        list,
        to: left.email,
        language: left.language,
        template: 'goodbye',
        ...answering,
        values: { address: left.email },
      });
      return true;
    },
  };
}

/** What a change sets, in the owner's words and language, for its confirmation mail and page. */
export function describeChange(change: ChangeFields, list: List, language: string): string {
  const m = messagesFor(language);
  const languageName = (code: string) =>
    new Intl.DisplayNames([language], { type: 'language' }).of(code) ?? code;
  const parts: string[] = [];
  if (change.language === DEFAULT_CHOICE)
    parts.push(m.t('change.languageDefault', { language: languageName(primaryLanguage(list.language)) }));
  else if (change.language) parts.push(m.t('change.language', { language: languageName(change.language) }));
  if (change.format) parts.push(m.t(`change.format.${change.format}`));
  if (change.pdf) parts.push(m.t(`change.pdf.${change.pdf}`));
  if (change.email) parts.push(m.t('change.email', { address: change.email }));
  return new Intl.ListFormat(language, { type: 'conjunction' }).format(parts);
}
