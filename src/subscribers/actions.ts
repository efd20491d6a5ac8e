// The state changes a confirmation token allows, with the mail that follows each. Shared by the
// inbound mail handler (replies to confirmation emails) and the web pages (buttons, one-click).

import type { Logger } from 'pino';
import { listAddress } from '../inbound/addresses.ts';
import { sendReply } from '../inbound/replies.ts';
import type { ListMailer } from '../mail/queue.ts';
import type { ListTemplates } from '../mail/templates.ts';
import { editionUrls } from '../render/placeholders.ts';
import type { Db } from '../store/db.ts';
import { type TokenPurpose, type Tokens, unsubscribeUrl } from '../tokens.ts';
import type { List } from './lists.ts';
import type { ConsentMethod, Source, Subscriber } from './model.ts';
import { confirmSubscription, getSubscriber, requestSubscription, unsubscribe } from './store.ts';

export interface ActionDeps {
  db: Db;
  lists: readonly List[];
  tokens: Tokens;
  mailer: ListMailer;
  templates: ListTemplates;
  publicUrl: string;
  now: () => Date;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface TokenTarget {
  list: List;
  subscriber: Subscriber;
  purpose: TokenPurpose;
}

export interface ListActions {
  /** The publication's list, by its slug. */
  list(slug: string): List | undefined;
  /**
   * Someone asked to join: only the address itself is mailed, asking it to confirm (or welcomed
   * again when already subscribed), so a request made for somebody else changes nothing.
   */
  requestSubscription(
    list: List,
    who: { address: string; name?: string },
    request: { source: Source; inReplyTo?: string },
  ): Promise<void>;
  /** The list and subscriber a token names, if it is valid, unexpired and of one of `purposes`. */
  resolve(token: string, purposes: TokenPurpose[]): Promise<TokenTarget | undefined>;
  /** Confirms a subscription and sends the welcome; false when there was nothing to confirm. */
  confirm(
    target: TokenTarget,
    consent: { method: ConsentMethod; evidence: string; inReplyTo?: string },
  ): Promise<boolean>;
  /** Unsubscribes and sends the confirmation of removal; false when not subscribed. */
  unsubscribe(target: TokenTarget): Promise<boolean>;
  /** The welcome email: links to the latest issue and a personal unsubscribe link. */
  welcome(list: List, subscriber: Subscriber, inReplyTo?: string): Promise<void>;
}

export function createListActions(deps: ActionDeps): ListActions {
  const { db, tokens, log } = deps;

  async function welcome(list: List, s: Subscriber, inReplyTo?: string) {
    const edition = list.latestIssue ? editionUrls(deps.publicUrl, list.slug, list.latestIssue) : undefined;
    await sendReply(deps.mailer, deps.templates, {
      list,
      to: s.email,
      template: 'welcome',
      inReplyTo,
      values: {
        address: s.email,
        latest: edition && { webUrl: edition.web_url, pdfUrl: edition.pdf_url },
        unsubscribeUrl: unsubscribeUrl(deps.publicUrl, tokens, s),
      },
    });
  }

  return {
    welcome,
    list: (slug) => deps.lists.find((l) => l.slug === slug),
    async requestSubscription(list, who, request) {
      const s = await requestSubscription(db, {
        publication: list.slug,
        email: who.address,
        name: who.name,
        source: request.source,
        now: deps.now(),
      });
      if (s.status === 'confirmed') {
        await welcome(list, s, request.inReplyTo);
        return;
      }
      const token = tokens.sign('subscribe', s);
      await sendReply(deps.mailer, deps.templates, {
        list,
        to: s.email,
        inReplyTo: request.inReplyTo,
        template: 'confirm-subscribe',
        replyTo: listAddress(list.address, { kind: 'confirm', token }),
        values: { address: s.email, confirmUrl: `${deps.publicUrl}/confirm/${token}` },
      });
      log.info({ list: list.slug, subscriber: s.id, source: request.source }, 'subscription requested');
    },
    async resolve(token, purposes) {
      const claims = tokens.read(token);
      if (!claims || !purposes.includes(claims.purpose)) return undefined;
      const subscriber = await getSubscriber(db, claims.subscriberId);
      if (!subscriber || !tokens.verify(token, claims.purpose, subscriber)) return undefined;
      const list = deps.lists.find((l) => l.slug === subscriber.publication);
      return list && { list, subscriber, purpose: claims.purpose };
    },
    async confirm({ list, subscriber }, consent) {
      const confirmed = await confirmSubscription(db, subscriber.id, { ...consent, now: deps.now() });
      if (!confirmed) return false;
      log.info(
        { list: list.slug, subscriber: subscriber.id, method: consent.method },
        'subscription confirmed',
      );
      await welcome(list, confirmed, consent.inReplyTo);
      return true;
    },
    async unsubscribe({ list, subscriber }) {
      const left = await unsubscribe(db, subscriber.id, deps.now());
      if (!left) return false;
      log.info({ list: list.slug, subscriber: subscriber.id }, 'unsubscribed');
      await sendReply(deps.mailer, deps.templates, {
        list,
        to: left.email,
        template: 'goodbye',
        values: { address: left.email },
      });
      return true;
    },
  };
}
