// The state changes a confirmation token allows, with the mail that follows each. Shared by the
// inbound mail handler (replies to confirmation emails) and the web pages (buttons, one-click).

import type { Logger } from 'pino';
import { sendReply } from '../inbound/replies.ts';
import type { ListMailer } from '../mail/queue.ts';
import type { ListTemplates } from '../mail/templates.ts';
import { editionUrls } from '../render/placeholders.ts';
import type { Db } from '../store/db.ts';
import { type TokenPurpose, type Tokens, unsubscribeUrl } from '../tokens.ts';
import type { List } from './lists.ts';
import type { ConsentMethod, Subscriber } from './model.ts';
import { confirmSubscription, getSubscriber, unsubscribe } from './store.ts';

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
