// Confirm and unsubscribe pages. A GET only shows a page whose button POSTs: link scanners and
// mail previews fetch links, and must not (un)subscribe anyone. POST /unsubscribe/<token> with the
// body List-Unsubscribe=One-Click is RFC 8058 one-click unsubscription from the mail client.
// Invalid or expired tokens all get the same page, so nothing is revealed about any address.
// Each page speaks the reader's language: the one they chose, else their browser's
// (Accept-Language) among the list's, else the list's.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply } from 'fastify';
import Handlebars from 'handlebars';
import Negotiator from 'negotiator';
import { z } from 'zod';
import { ClientRateLimiter } from '../client-rate-limiter.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { List } from '../list/list.ts';
import {
  DEFAULT_CHOICE,
  listLanguage,
  listLanguages,
  primaryLanguage,
  readerLanguage,
} from '../list/list.ts';
import { LIST_TEMPLATES_DIR } from '../list/templates.ts';
import {
  CATALOGUE_LANGUAGES,
  type MessageKey,
  type Messages,
  messagesFor,
  registerMessageHelpers,
} from '../messages/index.ts';
import { describeChange, type ListActions, type TokenTarget } from '../subscribers/actions.ts';
import { cleanName, normaliseAddress } from '../subscribers/address.ts';
import { FORMATS, PDF_CHOICES } from '../subscribers/model.ts';
import { recordCsv } from '../subscribers/record.ts';
import { sameOrigin } from './origin.ts';
import { parseBody, type RouteRegistrar } from './server.ts';

interface Option {
  code: string;
  label: string;
  selected: boolean;
}

interface Page {
  title: string;
  paragraphs: string[];
  button?: string;
  action?: string;
  subscribeForm?: boolean;
  /** The sign-up form's language choice (only when the list has more than one). */
  languages?: Option[];
  preferences?: {
    action: string;
    languages?: Option[];
    formats: { value: string; label: string; selected: boolean }[];
    pdf: { value: string; label: string; selected: boolean }[];
  };
}

/** What the template needs besides the page: the language it speaks and the list's feeds. */
interface Speaking {
  list: List | undefined;
  messages: Messages;
}

/** The sign-up form's fields; `website` is the robots' trap, left empty by people. */
const SubscribeForm = z.object({
  email: z.string().max(320),
  name: z.string().max(1000).optional(),
  language: z.string().max(35).optional(),
  website: z.string().max(1000).optional(),
});

/** The preference page's choices; each absent field stays as it is. */
const ChoicesForm = z.object({
  /** One of the list's languages, or `default`: back to the publication's (stored as NULL). */
  language: z.string().max(35).optional(),
  format: z.enum(FORMATS).optional(),
  pdf: z.enum([...PDF_CHOICES, DEFAULT_CHOICE]).optional(),
});
const AddressForm = z.object({ email: z.string().max(320) });
const DataForm = z.object({ as: z.enum(['json', 'csv']) });
const EraseForm = z.object({ confirm: z.literal('yes') });

/** Each language named in itself (français, español), for readers who do not read the page's. */
function languageOptions(list: List, chosen: string | null | undefined): Option[] | undefined {
  const codes = listLanguages(list);
  if (codes.length < 2) return undefined;
  return codes.map((code) => ({
    code,
    label: new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code,
    selected: code === (chosen ?? codes[0]),
  }));
}

/** The preference page's languages: the publication's default (NULL, "default"), then each of the list's. */
function preferredLanguageOptions(list: List, chosen: string | null, m: Messages): Option[] | undefined {
  const options = languageOptions(list, chosen);
  if (!options) return undefined;
  const name = new Intl.DisplayNames([m.language], { type: 'language' }).of(primaryLanguage(list.language));
  const byDefault = {
    code: DEFAULT_CHOICE,
    label: m.t('page.preferences.languageDefault', { language: name ?? list.language }),
    selected: chosen === null,
  };
  return [byDefault, ...options.map((o) => ({ ...o, selected: o.code === chosen }))];
}

type Headers = Record<string, string | string[] | undefined>;

/** The reader's language from Accept-Language, among `offered` (negotiator); undefined: none fits. */
function negotiated(headers: Headers, offered: string[]): string | undefined {
  // No header, or only "*" (fetch's default), says nothing: negotiator would answer the first offered.
  if (!/[a-z]/i.test(String(headers['accept-language'] ?? ''))) return undefined;
  return new Negotiator({ headers }).language(offered);
}

/** The reader's language from Accept-Language, among the list's; undefined: none fits. */
function acceptedLanguage(list: List, headers: Headers) {
  return listLanguage(list, negotiated(headers, listLanguages(list)));
}

/** What a page about `list` speaks: the reader's choice, else their browser's among the list's, else the list's. */
function speaking(list: List, headers: Headers, chosen?: string | null): Speaking {
  const language = listLanguage(list, chosen ?? undefined) ?? acceptedLanguage(list, headers);
  return { list, messages: messagesFor(readerLanguage(list, language)) };
}

/** A page about no list (an invalid link): the browser's language among the catalogues', else English. */
function speakingNoList(headers: Headers): Speaking {
  return { list: undefined, messages: messagesFor(negotiated(headers, [...CATALOGUE_LANGUAGES]) ?? 'en') };
}
/** The confirm and unsubscribe buttons post nothing; a mail client's one-click (RFC 8058) posts this. */
const ButtonForm = z.object({ 'List-Unsubscribe': z.string().max(100).optional() });

/** Web sign-ups per IP address and hour: each one mails a confirmation to the address given. */
const WEB_SIGNUPS_PER_HOUR = 10;

export function listPages(
  actions: ListActions,
  templatesDir = LIST_TEMPLATES_DIR,
  clock: Clock = systemClock,
): RouteRegistrar {
  const signups = new ClientRateLimiter(WEB_SIGNUPS_PER_HOUR, 3_600_000, clock);
  const handlebars = Handlebars.create();
  registerMessageHelpers(handlebars);
  const template = handlebars.compile(readFileSync(join(templatesDir, 'page.hbs'), 'utf8'));
  const send = (reply: FastifyReply, { list, messages: m }: Speaking, page: Page, status = 200) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(
        template({
          ...page,
          lang: m.language,
          // The publication's feeds (src/site), as on every page of the public site.
          feed: list && {
            slug: list.slug,
            atom: m.t('site.atomFeed', { name: list.name }),
            json: m.t('site.jsonFeed', { name: list.name }),
          },
          color: list?.colors.primary ?? '#0b4f8a',
        }),
      );
  const invalid = (reply: FastifyReply, headers: Headers) => {
    const to = speakingNoList(headers);
    const m = to.messages;
    return send(reply, to, { title: m.t('page.invalid.title'), paragraphs: [m.t('page.invalid.text')] }, 400);
  };
  const malformed = (reply: FastifyReply, headers: Headers) => {
    const to = speakingNoList(headers);
    const m = to.messages;
    return send(
      reply,
      to,
      { title: m.t('page.malformed.title'), paragraphs: [m.t('page.malformed.text')] },
      400,
    );
  };
  /** What a token's page speaks: its reader's language. */
  const reader = (target: { list: List; subscriber: { language: string | null } }, headers: Headers) =>
    speaking(target.list, headers, target.subscriber.language);
  /** The page saying what was done to the reader: a title, and a line naming their address and the list. */
  const done = (
    reply: FastifyReply,
    target: TokenTarget,
    headers: Headers,
    title: MessageKey,
    text: MessageKey,
  ) => {
    const to = reader(target, headers);
    const m = to.messages;
    const names = { address: target.subscriber.email, list: target.list.name };
    return send(reply, to, { title: m.t(title), paragraphs: [m.t(text, names)] });
  };

  return async (root) => {
    await root.register(async (app) => {
      // RFC 8058 allows multipart/form-data as well as urlencoded; the body only chooses the answer.
      app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (_request, body, done) =>
        done(null, { 'List-Unsubscribe': /One-Click/.test(String(body)) ? 'One-Click' : '' }),
      );

      app.get<{ Params: { publication: string } }>('/:publication/subscribe', async (request, reply) => {
        const list = actions.list(request.params.publication);
        if (!list) return reply.callNotFound();
        const accepted = acceptedLanguage(list, request.headers);
        const to = speaking(list, request.headers);
        const m = to.messages;
        return send(reply, to, {
          title: m.t('page.subscribe.title', { list: list.name }),
          paragraphs: [m.t('page.subscribe.text', { list: list.name })],
          button: m.t('page.subscribe.button'),
          action: `/${list.slug}/subscribe`,
          subscribeForm: true,
          languages: languageOptions(list, accepted),
        });
      });

      // The web form: the same double opt-in as mail to the list address. The answer is the same
      // whatever the address's state, so the form reveals nothing about who is subscribed.
      app.post<{ Params: { publication: string } }>('/:publication/subscribe', async (request, reply) => {
        const list = actions.list(request.params.publication);
        if (!list) return reply.callNotFound();
        const body = parseBody(SubscribeForm, request.body);
        const address = body && normaliseAddress(body.email);
        // Chosen on the form; else what the browser says the reader reads (Accept-Language).
        const language = listLanguage(list, body?.language) ?? acceptedLanguage(list, request.headers);
        const to = speaking(list, request.headers, language);
        const m = to.messages;
        if (!body || !address) {
          return send(
            reply,
            to,
            {
              title: m.t('page.notAnAddress.title'),
              paragraphs: [m.t('page.notAnAddress.text')],
              button: m.t('page.subscribe.button'),
              action: `/${list.slug}/subscribe`,
              subscribeForm: true,
              languages: languageOptions(list, language),
            },
            400,
          );
        }
        if (!signups.allow(request.ip)) {
          return send(
            reply,
            to,
            { title: m.t('page.tooMany.title'), paragraphs: [m.t('page.tooMany.text')] },
            429,
          );
        }
        if (!body.website) {
          await actions.requestSubscription(
            list,
            { address, name: cleanName(body.name) },
            { source: 'web', language },
          );
        }
        return send(reply, to, {
          title: m.t('page.checkInbox.title'),
          paragraphs: [m.t('page.checkInbox.text', { address, list: list.name })],
        });
      });

      app.get<{ Params: { token: string } }>('/confirm/:token', async (request, reply) => {
        const target = await actions.resolve(request.params.token, ['subscribe']);
        if (!target) return invalid(reply, request.headers);
        const to = reader(target, request.headers);
        const m = to.messages;
        const names = { address: target.subscriber.email, list: target.list.name };
        return send(reply, to, {
          title: m.t('page.subscribe.title', names),
          paragraphs: [m.t('page.confirm.text', names)],
          button: m.t('page.confirm.button'),
          action: `/confirm/${request.params.token}`,
        });
      });

      app.post<{ Params: { token: string } }>('/confirm/:token', async (request, reply) => {
        if (!parseBody(ButtonForm, request.body)) return malformed(reply, request.headers);
        const target = await actions.resolve(request.params.token, ['subscribe']);
        if (!target) return invalid(reply, request.headers);
        await actions.confirm(target, { method: 'web', evidence: `confirm page from ${request.ip}` });
        return done(reply, target, request.headers, 'page.subscribed.title', 'page.subscribed.text');
      });

      // A change someone asked for (src/subscribers/actions.ts): the owner confirms it here.
      app.get<{ Params: { token: string } }>('/change/:token', async (request, reply) => {
        const target = await actions.resolveChange(request.params.token);
        if (!target) return invalid(reply, request.headers);
        const to = reader(target, request.headers);
        const m = to.messages;
        const address = target.subscriber.email;
        return send(reply, to, {
          title: m.t('page.change.title', { list: target.list.name }),
          paragraphs: [
            target.name
              ? m.t('page.change.text', { address, name: target.name })
              : m.t('page.change.choicesText', {
                  address,
                  change: describeChange(target.change, target.list, m.language),
                }),
          ],
          button: m.t('page.change.button'),
          action: `/change/${request.params.token}`,
        });
      });

      app.post<{ Params: { token: string } }>('/change/:token', async (request, reply) => {
        if (!parseBody(ButtonForm, request.body)) return malformed(reply, request.headers);
        const target = await actions.resolveChange(request.params.token);
        if (!target || !(await actions.applyChange(target, { evidence: `change page from ${request.ip}` })))
          return invalid(reply, request.headers);
        // In the language just chosen, when that was the change.
        const chosen =
          target.change.language === DEFAULT_CHOICE
            ? null
            : (target.change.language ?? target.subscriber.language);
        const to = speaking(target.list, request.headers, chosen);
        const m = to.messages;
        return send(reply, to, {
          title: m.t('page.changed.title'),
          paragraphs: [
            target.name
              ? m.t('page.changed.text', { address: target.subscriber.email, name: target.name })
              : target.change.email
                ? m.t('page.changed.address', { list: target.list.name, address: target.change.email })
                : m.t('page.preferences.saved'),
          ],
        });
      });

      app.get<{ Params: { token: string } }>('/unsubscribe/:token', async (request, reply) => {
        const target = await actions.resolve(request.params.token, ['unsubscribe']);
        if (!target) return invalid(reply, request.headers);
        const to = reader(target, request.headers);
        const m = to.messages;
        const names = { address: target.subscriber.email, list: target.list.name };
        return send(reply, to, {
          title: m.t('page.unsubscribe.title', names),
          paragraphs: [m.t('page.unsubscribe.text', names)],
          button: m.t('page.unsubscribe.button'),
          action: `/unsubscribe/${request.params.token}`,
        });
      });

      app.post<{ Params: { token: string } }>('/unsubscribe/:token', async (request, reply) => {
        const body = parseBody(ButtonForm, request.body);
        if (!body) return malformed(reply, request.headers);
        const target = await actions.resolve(request.params.token, ['unsubscribe']);
        if (!target) return invalid(reply, request.headers);
        await actions.unsubscribe(target);
        // RFC 8058: the mail client posts List-Unsubscribe=One-Click and only needs a 2xx.
        if (body['List-Unsubscribe'] === 'One-Click') {
          const m = reader(target, request.headers).messages;
          return reply
            .code(200)
            .header('content-language', m.language)
            .type('text/plain; charset=utf-8')
            .send(`${m.t('page.unsubscribed.title')}
`);
        }
        return done(reply, target, request.headers, 'page.unsubscribed.title', 'page.unsubscribed.text');
      });

      // The preference page, linked from every issue's footer: the signed link is the owner's proof,
      // as for unsubscribe. Every POST must come from this page (Origin), so another site's form
      // cannot change a reader's choices with a link it saw.
      const preferencesPage = (target: TokenTarget, token: string, m: Messages, note?: string): Page => {
        const s = target.subscriber;
        return {
          title: m.t('page.preferences.title', { list: target.list.name }),
          paragraphs: [
            m.t('page.preferences.status', { address: s.email, status: s.status }),
            ...(note ? [note] : []),
          ],
          preferences: {
            action: `/preferences/${token}`,
            languages: preferredLanguageOptions(target.list, s.language, m),
            formats: FORMATS.map((value) => ({
              value,
              label: m.t(`page.preferences.format.${value}`),
              selected: s.format === value,
            })),
            pdf: ([DEFAULT_CHOICE, ...PDF_CHOICES] as const).map((value) => ({
              value,
              label: m.t(`page.preferences.pdf.${value}`),
              selected: (s.pdf ?? DEFAULT_CHOICE) === value,
            })),
          },
        };
      };
      const refused = (reply: FastifyReply, headers: Headers) =>
        reply
          .code(403)
          .type('text/plain; charset=utf-8')
          .send(`${speakingNoList(headers).messages.t('page.preferences.refused')}\n`);

      app.get<{ Params: { token: string } }>('/preferences/:token', async (request, reply) => {
        const target = await actions.resolve(request.params.token, ['preferences']);
        if (!target) return invalid(reply, request.headers);
        const to = reader(target, request.headers);
        return send(reply, to, preferencesPage(target, request.params.token, to.messages));
      });

      app.post<{ Params: { token: string } }>('/preferences/:token', async (request, reply) => {
        if (!sameOrigin(request, actions.publicUrl)) return refused(reply, request.headers);
        const body = parseBody(ChoicesForm, request.body);
        if (!body) return malformed(reply, request.headers);
        const target = await actions.resolve(request.params.token, ['preferences']);
        if (!target) return invalid(reply, request.headers);
        const language =
          body.language === undefined || body.language === DEFAULT_CHOICE
            ? body.language
            : listLanguage(target.list, body.language);
        if (body.language !== undefined && !language) return malformed(reply, request.headers);
        const changed = await actions.setChoices(target, {
          language: language === DEFAULT_CHOICE ? null : language,
          format: body.format,
          pdf: body.pdf === undefined ? undefined : body.pdf === DEFAULT_CHOICE ? null : body.pdf,
        });
        if (!changed) return invalid(reply, request.headers);
        // The page answers in the language just chosen.
        const to = reader({ list: target.list, subscriber: changed }, request.headers);
        const m = to.messages;
        return send(
          reply,
          to,
          preferencesPage(
            { ...target, subscriber: changed },
            request.params.token,
            m,
            m.t('page.preferences.saved'),
          ),
        );
      });

      app.post<{ Params: { token: string } }>('/preferences/:token/address', async (request, reply) => {
        if (!sameOrigin(request, actions.publicUrl)) return refused(reply, request.headers);
        const body = parseBody(AddressForm, request.body);
        const address = body && normaliseAddress(body.email);
        const target = await actions.resolve(request.params.token, ['preferences']);
        if (!target) return invalid(reply, request.headers);
        const to = reader(target, request.headers);
        const m = to.messages;
        if (!address) {
          const page = preferencesPage(target, request.params.token, m, m.t('page.preferences.notAnAddress'));
          return send(reply, to, page, 400);
        }
        if (target.subscriber.status !== 'confirmed') {
          const page = preferencesPage(
            target,
            request.params.token,
            m,
            m.t('page.preferences.onlySubscribed'),
          );
          return send(reply, to, page, 409);
        }
        const requested = await actions.requestAddressChange(target.list, target.subscriber, address);
        const names = { address, list: target.list.name, current: target.subscriber.email };
        return send(
          reply,
          to,
          requested
            ? { title: m.t('page.moving.title'), paragraphs: [m.t('page.moving.text', names)] }
            : { title: m.t('page.addressTaken.title'), paragraphs: [m.t('page.addressTaken.text', names)] },
          requested ? 200 : 409,
        );
      });

      app.post<{ Params: { token: string } }>('/preferences/:token/leave', async (request, reply) => {
        if (!sameOrigin(request, actions.publicUrl)) return refused(reply, request.headers);
        const target = await actions.resolve(request.params.token, ['preferences']);
        if (!target) return invalid(reply, request.headers);
        await actions.unsubscribe(target);
        return done(reply, target, request.headers, 'page.unsubscribed.title', 'page.unsubscribed.text');
      });

      app.post<{ Params: { token: string } }>('/preferences/:token/data', async (request, reply) => {
        if (!sameOrigin(request, actions.publicUrl)) return refused(reply, request.headers);
        const body = parseBody(DataForm, request.body);
        if (!body) return malformed(reply, request.headers);
        const target = await actions.resolve(request.params.token, ['preferences']);
        const record = target && (await actions.record(target));
        if (!target || !record) return invalid(reply, request.headers);
        const name = `${target.list.slug}-subscriber-${target.subscriber.id}.${body.as}`;
        return reply
          .code(200)
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="${name}"`)
          .type(body.as === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8')
          .send(body.as === 'json' ? `${JSON.stringify(record, null, 2)}\n` : recordCsv(record));
      });

      app.post<{ Params: { token: string } }>('/preferences/:token/erase', async (request, reply) => {
        if (!sameOrigin(request, actions.publicUrl)) return refused(reply, request.headers);
        if (!parseBody(EraseForm, request.body)) return malformed(reply, request.headers);
        const target = await actions.resolve(request.params.token, ['preferences']);
        if (!target) return invalid(reply, request.headers);
        await actions.erase(target);
        return done(reply, target, request.headers, 'page.erased.title', 'page.erased.text');
      });
    });
  };
}
