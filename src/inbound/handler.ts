// src/inbound: mail that arrives at the list addresses, over SMTP (smtp.ts) or IMAP (imap.ts):
// commands, confirmations, bounces, contributions, each stored before the 250 is given.
//
// What happens to a message accepted for one of our list addresses. The SMTP server and the IMAP
// poller both feed `handle`; it resolves once everything that must not be lost is stored, so the
// SMTP server answers 250 only then.

import { type ParsedMail, simpleParser } from 'mailparser';
import { type ListRole, listAddress, parseListAddress } from '../list/addresses.ts';
import { commandTable, type FoundCommand, findCommand, type Setting } from '../list/commands.ts';
import { DEFAULT_CHOICE, type List, listLanguage, listLanguages, readerLanguage } from '../list/list.ts';
import { sendReply } from '../list/replies.ts';
import { messagesFor } from '../messages/index.ts';
import { countInbound } from '../metrics.ts';
import type { ActionDeps, ListActions } from '../subscribers/actions.ts';
import { cleanName, normaliseAddress } from '../subscribers/address.ts';
import { FORMATS, PDF_CHOICES, type Subscriber } from '../subscribers/model.ts';
import { findSubscriber, markComplained, recordBounce } from '../subscribers/store.ts';
import { classifyBounce } from './bounces.ts';
import { saveContribution } from './contributions.ts';
import { isAutomaticReply, noAutoReplyReason } from './loops.ts';

export interface InboundMail {
  raw: Buffer;
  /** SMTP MAIL FROM; null for the null sender `<>`. */
  envelopeFrom: string | null;
  /** RCPT TO addresses, all of them ours (the server rejected others). */
  recipients: string[];
  /** Client IP, kept as evidence when it matters. */
  remoteAddress?: string;
}

export interface HandlerDeps extends ActionDeps {
  actions: ListActions;
}

export interface InboundHandler {
  /** Whether an address is one of our list addresses (anything else gets 550 at RCPT). */
  accepts(recipient: string): boolean;
  handle(mail: InboundMail): Promise<void>;
}

/** The message as the handler sees it: parsed when it could be, with the envelope. */
interface Received {
  mail: InboundMail;
  parsed?: ParsedMail;
  from?: { address: string; name?: string };
  messageId?: string;
  /** Addresses this message has been answered at already: one automatic reply each. */
  answered: Set<string>;
}

export function createInboundHandler(deps: HandlerDeps): InboundHandler {
  const { db, tokens, actions, log } = deps;
  const ours = (address: string) => parseListAddress(address, deps.lists) !== undefined;

  async function parse(mail: InboundMail): Promise<Received> {
    try {
      const parsed = await simpleParser(mail.raw, { skipImageLinks: true, maxHtmlLengthToParse: 2_000_000 });
      const sender = parsed.from?.value[0];
      const address = sender?.address && normaliseAddress(sender.address);
      return {
        mail,
        parsed,
        from: address ? { address, name: cleanName(sender?.name) } : undefined,
        messageId: cleanName(parsed.messageId),
        answered: new Set(),
      };
    } catch (err) {
      log.warn({ err, envelopeFrom: mail.envelopeFrom }, 'unparseable message');
      return { mail, answered: new Set() };
    }
  }

  /** Who a command is about: the From address (RFC 5322 author), else the envelope sender. */
  const author = (r: Received) =>
    r.from ?? (r.mail.envelopeFrom ? { address: normaliseAddress(r.mail.envelopeFrom) ?? '' } : undefined);

  /** Where automatic replies go: the envelope sender (RFC 3834 §4), else From. */
  const replyAddress = (r: Received) =>
    (r.mail.envelopeFrom && normaliseAddress(r.mail.envelopeFrom)) || r.from?.address;

  const provenance = (r: Received) => ({
    envelopeFrom: r.mail.envelopeFrom,
    from: r.from?.address,
    // Raw header lines: the parsed map restructures some (List-* become one "list" object).
    headers: new Map(
      (r.parsed?.headerLines ?? []).map(
        ({ key, line }) => [key, line.slice(line.indexOf(':') + 1).trim()] as const,
      ),
    ),
  });

  async function contribution(list: List, r: Received): Promise<void> {
    // Mail a program sent (bounces, vacation notices) is kept like any other, since a 250 means
    // stored, but held apart as not a contribution, and never answered.
    const automatic = isAutomaticReply(provenance(r));
    countInbound(automatic ? 'automatic' : 'contribution');
    const id = await saveContribution(db, {
      heldReason: automatic ? 'automatic reply' : undefined,
      publication: list.slug,
      receivedAt: deps.clock.date(),
      envelopeFrom: r.mail.envelopeFrom,
      fromAddress: r.from?.address,
      fromName: r.from?.name,
      subject: cleanName(r.parsed?.subject),
      messageId: r.messageId,
      text: r.parsed?.text,
      raw: r.mail.raw,
      attachments: (r.parsed?.attachments ?? []).map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
      })),
    });
    log.info(
      { list: list.slug, contribution: id, from: r.from?.address, held: automatic },
      automatic ? 'automatic reply to the list address held' : 'contribution stored',
    );
    if (automatic) return;
    const to = replyAddress(r);
    const reason = noAutoReplyReason(provenance(r), ours);
    if (!to || reason) {
      log.info({ contribution: id, reason: reason ?? 'no sender address' }, 'no acknowledgement sent');
      return;
    }
    await sendReply(deps, {
      list,
      to,
      template: 'acknowledgement',
      values: { subject: cleanName(r.parsed?.subject) },
      inReplyTo: r.messageId,
      answered: r.answered,
    });
  }

  async function command(list: List, found: FoundCommand, r: Received): Promise<void> {
    const name = found.command;
    const reason = r.parsed ? noAutoReplyReason(provenance(r), ours) : 'unparseable message';
    const who = author(r);
    countInbound(reason ? 'automatic' : name);
    if (reason || !who?.address) {
      log.info({ list: list.slug, command: name, reason: reason ?? 'no sender address' }, 'command ignored');
      return;
    }
    const reply = { list, inReplyTo: r.messageId, answered: r.answered };
    // The reader's language, when the mail says one the list is published in: the command word
    // itself (s'abonner, aide), else the mail's Content-Language.
    const contentLanguage = r.parsed?.headers.get('content-language');
    const asked =
      listLanguage(list, found.language) ??
      listLanguage(list, typeof contentLanguage === 'string' ? contentLanguage.split(',')[0] : undefined);
    // Subscribe and unsubscribe only ever send mail to the address concerned, asking it to
    // confirm: the sender of the request learns nothing, and a forged From changes nothing.
    if (name === 'subscribe') {
      await actions.requestSubscription(list, who, {
        source: 'email',
        language: asked,
        inReplyTo: r.messageId,
        answered: r.answered,
      });
      return;
    }
    const s = await findSubscriber(db, list.slug, who.address);
    // Answers in the request's language, else the one the subscriber chose, else the list's. The
    // subscriber's only when the answer goes to their own address: a Reply-To elsewhere must not
    // learn which language (so: that) an address reads.
    const language = asked ?? s?.language;
    const answerTo = replyAddress(r) ?? who.address;
    const answerLanguage = answerTo.toLowerCase() === s?.email.toLowerCase() ? language : asked;
    if (name === 'help') {
      await sendReply(deps, {
        ...reply,
        language: answerLanguage,
        to: answerTo,
        template: 'help',
        values: { commands: commandTable(list, readerLanguage(list, answerLanguage)) },
      });
      return;
    }
    if (name === 'set') {
      await setChoice(list, found.setting as Setting, s, {
        ...reply,
        language: answerLanguage,
        to: answerTo,
      });
      return;
    }
    if (!s || (s.status !== 'pending' && s.status !== 'confirmed')) {
      await sendReply(deps, {
        ...reply,
        language,
        to: who.address,
        template: 'goodbye',
        values: { address: who.address },
      });
      return;
    }
    const token = tokens.sign('unsubscribe', s);
    await sendReply(deps, {
      ...reply,
      language,
      to: s.email,
      template: 'confirm-unsubscribe',
      replyTo: listAddress(list.address, { kind: 'confirm', token }),
      values: { address: s.email, confirmUrl: `${deps.publicUrl}/unsubscribe/${token}` },
    });
  }

  /**
   * `set language fr`: only a confirmed reader's own address is mailed, asking to confirm (the
   * sender is no proof); a value the list does not offer gets the help mail, saying which it does.
   */
  async function setChoice(
    list: List,
    setting: Setting,
    s: Subscriber | undefined,
    reply: { list: List; to: string; language?: string | null; inReplyTo?: string; answered: Set<string> },
  ): Promise<void> {
    const valid: readonly string[] =
      setting.choice === 'language'
        ? [...listLanguages(list), DEFAULT_CHOICE]
        : setting.choice === 'format'
          ? FORMATS
          : [...PDF_CHOICES, DEFAULT_CHOICE];
    const language = readerLanguage(list, reply.language);
    const m = messagesFor(language);
    const help = (note: string) =>
      sendReply(deps, {
        ...reply,
        template: 'help',
        values: { note, commands: commandTable(list, language) },
      });
    if (!valid.includes(setting.value)) {
      const choices = new Intl.ListFormat(language, { type: 'disjunction' }).format(valid);
      await help(m.t('help.setInvalid', { value: setting.value, choice: setting.choice, choices }));
      return;
    }
    if (s?.status !== 'confirmed') {
      await help(m.t('help.setNotSubscribed'));
      return;
    }
    await actions.requestChoices(
      list,
      s,
      { [setting.choice]: setting.value },
      {
        inReplyTo: reply.inReplyTo,
        answered: reply.answered,
      },
    );
  }

  async function confirm(list: List, token: string, r: Received): Promise<void> {
    // An autoresponder answering the confirmation email must not confirm anything.
    const reason = r.parsed ? noAutoReplyReason(provenance(r), ours) : 'unparseable message';
    countInbound(reason ? 'automatic' : 'confirm');
    if (reason) {
      log.info({ list: list.slug, reason }, 'confirmation reply ignored');
      return;
    }
    // A reply to the confirmation of a change (set language …) confirms that change.
    if (tokens.read(token)?.purpose === 'change') {
      const change = await actions.resolveChange(token);
      if (change && change.list.slug === list.slug) {
        const evidence = `reply ${r.messageId ?? '(no Message-ID)'} from ${r.mail.remoteAddress ?? 'unknown IP'}`;
        if (await actions.applyChange(change, { evidence })) return;
      }
    }
    const target = await actions.resolve(token, ['subscribe', 'unsubscribe']);
    if (!target || target.list.slug !== list.slug) {
      const to = replyAddress(r);
      if (to) {
        await sendReply(deps, {
          list,
          to,
          template: 'help',
          inReplyTo: r.messageId,
          answered: r.answered,
          values: {
            note: messagesFor(list.language).t('help.confirmationInvalid'),
            commands: commandTable(list),
          },
        });
      }
      return;
    }
    if (target.purpose === 'subscribe') {
      const evidence = `reply ${r.messageId ?? '(no Message-ID)'} from ${r.mail.remoteAddress ?? 'unknown IP'}`;
      await actions.confirm(target, {
        method: 'email-reply',
        evidence,
        inReplyTo: r.messageId,
        answered: r.answered,
      });
    } else {
      await actions.unsubscribe(target, { inReplyTo: r.messageId, answered: r.answered });
    }
  }

  async function bounce(list: List, token: string, r: Received): Promise<void> {
    const complaint = r.parsed?.attachments.some((a) => a.contentType === 'message/feedback-report');
    countInbound(complaint ? 'complaint' : 'bounce');
    const found = await actions.resolve(token, ['bounce']);
    if (!found || found.list.slug !== list.slug) {
      log.warn({ list: list.slug }, 'bounce with an invalid or expired VERP token ignored');
      return;
    }
    // A spam complaint relayed by the recipient's provider (ARF, RFC 5965): never mail them again.
    if (complaint) {
      const after = await markComplained(db, found.subscriber.id, deps.clock.date());
      log.info(
        { list: list.slug, subscriber: found.subscriber.id, status: after?.status },
        'complaint recorded',
      );
      return;
    }
    const status = r.parsed?.attachments.find((a) => a.contentType === 'message/delivery-status');
    const classified = classifyBounce(status?.content.toString('utf8') ?? deliveryStatusFromRaw(r.mail.raw));
    if (!classified) {
      log.info({ list: list.slug, subscriber: found.subscriber.id }, 'delivery report without a failure');
      return;
    }
    const after = await recordBounce(db, found.subscriber.id, {
      hard: classified.kind === 'hard',
      now: deps.clock.date(),
    });
    log.info(
      { list: list.slug, subscriber: found.subscriber.id, ...classified, status: after?.status },
      'bounce recorded',
    );
  }

  async function dispatch(list: List, role: ListRole, r: Received): Promise<void> {
    switch (role.kind) {
      case 'post': {
        const name = r.parsed && findCommand(r.parsed.subject, r.parsed.text);
        return name ? command(list, name, r) : contribution(list, r);
      }
      case 'subscribe':
      case 'unsubscribe':
        return command(list, { command: role.kind }, r);
      case 'request':
        return command(
          list,
          (r.parsed && findCommand(r.parsed.subject, r.parsed.text)) ?? { command: 'help' },
          r,
        );
      case 'confirm':
        return confirm(list, role.token, r);
      case 'bounce':
        return bounce(list, role.token, r);
    }
  }

  return {
    accepts: ours,
    async handle(mail) {
      const received = await parse(mail);
      const seen = new Set<string>();
      for (const recipient of mail.recipients) {
        const target = parseListAddress(recipient, deps.lists);
        if (!target) continue;
        // The same message to list@ and list-request@ acts once per address, never twice on one.
        const key = `${target.list.slug} ${JSON.stringify(target.role)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        await dispatch(target.list, target.role, received);
      }
    },
  };
}

/** A message/delivery-status part found by hand, for DSNs the parser did not split out. */
function deliveryStatusFromRaw(raw: Buffer): string | undefined {
  const text = raw.toString('latin1');
  const start = text.search(/content-type:\s*message\/delivery-status/i);
  if (start < 0) return undefined;
  const body = text
    .slice(start)
    .split(/\r?\n\r?\n/)
    .slice(1);
  return body.join('\n\n').split(/\r?\n--/)[0];
}
