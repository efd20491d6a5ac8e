// Confirm and unsubscribe pages. A GET only shows a page whose button POSTs: link scanners and
// mail previews fetch links, and must not (un)subscribe anyone. POST /unsubscribe/<token> with the
// body List-Unsubscribe=One-Click is RFC 8058 one-click unsubscription from the mail client.
// Invalid or expired tokens all get the same page, so nothing is revealed about any address.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply } from 'fastify';
import Handlebars from 'handlebars';
import Negotiator from 'negotiator';
import { z } from 'zod';
import { ClientRateLimiter } from '../client-rate-limiter.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { List } from '../list/list.ts';
import { listLanguage, listLanguages } from '../list/list.ts';
import { LIST_TEMPLATES_DIR } from '../list/templates.ts';
import { messagesFor, registerMessageHelpers } from '../messages/index.ts';
import type { ListActions, TokenTarget } from '../subscribers/actions.ts';
import { cleanName, normaliseAddress } from '../subscribers/address.ts';
import { FORMATS, type Format, PDF_CHOICES, type PdfChoice } from '../subscribers/model.ts';
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

/** The sign-up form's fields; `website` is the robots' trap, left empty by people. */
const SubscribeForm = z.object({
  email: z.string().max(320),
  name: z.string().max(1000).optional(),
  language: z.string().max(35).optional(),
  website: z.string().max(1000).optional(),
});

/** The preference page's choices; each absent field stays as it is. */
const ChoicesForm = z.object({
  language: z.string().max(35).optional(),
  format: z.enum(FORMATS).optional(),
  pdf: z.enum([...PDF_CHOICES, 'default']).optional(),
});
const AddressForm = z.object({ email: z.string().max(320) });
const DataForm = z.object({ as: z.enum(['json', 'csv']) });
const EraseForm = z.object({ confirm: z.literal('yes') });

// i18n: keys preferences.format.*, preferences.pdf.*
const FORMAT_LABELS: Record<Format, string> = {
  html: 'The full email',
  text: 'Plain text only',
  notice: 'A short notice with links to the web and PDF editions',
};
const PDF_LABELS: Record<PdfChoice | 'default', string> = {
  default: 'As the publication sends it',
  link: 'A link to the PDF edition',
  attach: 'The PDF edition attached',
};

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

/** The reader's language from Accept-Language, among the list's (negotiator); undefined: none fits. */
function acceptedLanguage(list: List, headers: Record<string, string | string[] | undefined>) {
  // No header, or only "*" (fetch's default), says nothing: negotiator would answer the first offered.
  if (!/[a-z]/i.test(String(headers['accept-language'] ?? ''))) return undefined;
  return listLanguage(list, new Negotiator({ headers }).language(listLanguages(list)));
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
  const say = (list: List | undefined) => messagesFor(list?.language ?? 'en');
  const send = (reply: FastifyReply, list: List | undefined, page: Page, status = 200) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(
        template({
          ...page,
          lang: list?.language ?? 'en',
          // The publication's feeds (src/site), as on every page of the public site.
          feed: list && { slug: list.slug, title: list.name },
          color: list?.colors.primary ?? '#0b4f8a',
        }),
      );
  const invalid = (reply: FastifyReply) =>
    send(
      reply,
      undefined,
      {
        title: say(undefined).t('page.invalid.title'),
        paragraphs: [say(undefined).t('page.invalid.text')],
      },
      400,
    );
  const malformed = (reply: FastifyReply) =>
    send(
      reply,
      undefined,
      {
        title: say(undefined).t('page.malformed.title'),
        paragraphs: [say(undefined).t('page.malformed.text')],
      },
      400,
    );

  return async (root) => {
    await root.register(async (app) => {
      // RFC 8058 allows multipart/form-data as well as urlencoded; the body only chooses the answer.
      app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (_request, body, done) =>
        done(null, { 'List-Unsubscribe': /One-Click/.test(String(body)) ? 'One-Click' : '' }),
      );

      app.get<{ Params: { publication: string } }>('/:publication/subscribe', async (request, reply) => {
        const list = actions.list(request.params.publication);
        if (!list) return reply.callNotFound();
        const m = say(list);
        return send(reply, list, {
          title: m.t('page.subscribe.title', { list: list.name }),
          paragraphs: [m.t('page.subscribe.text', { list: list.name })],
          button: m.t('page.subscribe.button'),
          action: `/${list.slug}/subscribe`,
          subscribeForm: true,
          languages: languageOptions(list, acceptedLanguage(list, request.headers)),
        });
      });

      // The web form: the same double opt-in as mail to the list address. The answer is the same
      // whatever the address's state, so the form reveals nothing about who is subscribed.
      app.post<{ Params: { publication: string } }>('/:publication/subscribe', async (request, reply) => {
        const list = actions.list(request.params.publication);
        if (!list) return reply.callNotFound();
        const body = parseBody(SubscribeForm, request.body);
        const address = body && normaliseAddress(body.email);
        const m = say(list);
        if (!body || !address) {
          return send(
            reply,
            list,
            {
              title: m.t('page.notAnAddress.title'),
              paragraphs: [m.t('page.notAnAddress.text')],
              button: m.t('page.subscribe.button'),
              action: `/${list.slug}/subscribe`,
              subscribeForm: true,
            },
            400,
          );
        }
        if (!signups.allow(request.ip)) {
          return send(
            reply,
            list,
            { title: m.t('page.tooMany.title'), paragraphs: [m.t('page.tooMany.text')] },
            429,
          );
        }
        if (!body.website) {
          // Chosen on the form; else what the browser says the reader reads (Accept-Language).
          const language = listLanguage(list, body.language) ?? acceptedLanguage(list, request.headers);
          await actions.requestSubscription(
            list,
            { address, name: cleanName(body.name) },
            { source: 'web', language },
          );
        }
        return send(reply, list, {
          title: m.t('page.checkInbox.title'),
          paragraphs: [m.t('page.checkInbox.text', { address, list: list.name })],
        });
      });

      app.get<{ Params: { token: string } }>('/confirm/:token', async (request, reply) => {
        const target = await actions.resolve(request.params.token, ['subscribe']);
        if (!target) return invalid(reply);
        const m = say(target.list);
        const names = { address: target.subscriber.email, list: target.list.name };
        return send(reply, target.list, {
          title: m.t('page.subscribe.title', names),
          paragraphs: [m.t('page.confirm.text', names)],
          button: m.t('page.confirm.button'),
          action: `/confirm/${request.params.token}`,
        });
      });

      app.post<{ Params: { token: string } }>('/confirm/:token', async (request, reply) => {
        if (!parseBody(ButtonForm, request.body)) return malformed(reply);
        const target = await actions.resolve(request.params.token, ['subscribe']);
        if (!target) return invalid(reply);
        await actions.confirm(target, { method: 'web', evidence: `confirm page from ${request.ip}` });
        const m = say(target.list);
        return send(reply, target.list, {
          title: m.t('page.subscribed.title'),
          paragraphs: [
            m.t('page.subscribed.text', { address: target.subscriber.email, list: target.list.name }),
          ],
        });
      });

      // A change of name someone asked for (src/subscribers/actions.ts): the owner confirms it here.
      app.get<{ Params: { token: string } }>('/change/:token', async (request, reply) => {
        const target = await actions.resolveChange(request.params.token);
        if (!target) return invalid(reply);
        const m = say(target.list);
        return send(reply, target.list, {
          title: m.t('page.change.title', { list: target.list.name }),
          paragraphs: [
            target.name
              ? m.t('page.change.text', { address: target.subscriber.email, name: target.name })
              : // i18n: the readers' choices (issue 15) are not in the catalogues yet
                `Press the button to confirm the change to the subscription of ${target.subscriber.email}.`,
          ],
          button: m.t('page.change.button'),
          action: `/change/${request.params.token}`,
        });
      });

      app.post<{ Params: { token: string } }>('/change/:token', async (request, reply) => {
        if (!parseBody(ButtonForm, request.body)) return malformed(reply);
        const target = await actions.resolveChange(request.params.token);
        if (!target || !(await actions.applyChange(target, { evidence: `change page from ${request.ip}` })))
          return invalid(reply);
        const m = say(target.list);
        return send(reply, target.list, {
          title: m.t('page.changed.title'),
          paragraphs: [
            target.name
              ? m.t('page.changed.text', { address: target.subscriber.email, name: target.name })
              : // i18n: the readers' choices (issue 15) are not in the catalogues yet
                target.change.email
                ? `${target.list.name} will be sent to ${target.change.email} from now on.`
                : 'Your choices are saved.',
          ],
        });
      });

      app.get<{ Params: { token: string } }>('/unsubscribe/:token', async (request, reply) => {
        const target = await actions.resolve(request.params.token, ['unsubscribe']);
        if (!target) return invalid(reply);
        const m = say(target.list);
        const names = { address: target.subscriber.email, list: target.list.name };
        return send(reply, target.list, {
          title: m.t('page.unsubscribe.title', names),
          paragraphs: [m.t('page.unsubscribe.text', names)],
          button: m.t('page.unsubscribe.button'),
          action: `/unsubscribe/${request.params.token}`,
        });
      });

      app.post<{ Params: { token: string } }>('/unsubscribe/:token', async (request, reply) => {
        const body = parseBody(ButtonForm, request.body);
        if (!body) return malformed(reply);
        const target = await actions.resolve(request.params.token, ['unsubscribe']);
        if (!target) return invalid(reply);
        await actions.unsubscribe(target);
        // RFC 8058: the mail client posts List-Unsubscribe=One-Click and only needs a 2xx.
        if (body['List-Unsubscribe'] === 'One-Click') return reply.code(200).send('Unsubscribed\n');
        const m = say(target.list);
        return send(reply, target.list, {
          title: m.t('page.unsubscribed.title'),
          paragraphs: [
            m.t('page.unsubscribed.text', { address: target.subscriber.email, list: target.list.name }),
          ],
        });
      });

      // The preference page, linked from every issue's footer: the signed link is the owner's proof,
      // as for unsubscribe. Every POST must come from this page (Origin), so another site's form
      // cannot change a reader's choices with a link it saw.
      const preferencesPage = (target: TokenTarget, token: string, note?: string): Page => {
        const s = target.subscriber;
        return {
          title: `Your subscription to ${target.list.name}`,
          paragraphs: [
            `${s.email} · ${s.status === 'confirmed' ? 'subscribed' : s.status}`,
            ...(note ? [note] : []),
          ],
          preferences: {
            action: `/preferences/${token}`,
            languages: languageOptions(target.list, s.language),
            formats: FORMATS.map((value) => ({
              value,
              label: FORMAT_LABELS[value],
              selected: s.format === value,
            })),
            pdf: (['default', ...PDF_CHOICES] as const).map((value) => ({
              value,
              label: PDF_LABELS[value],
              selected: (s.pdf ?? 'default') === value,
            })),
          },
        };
      };
      const refused = (reply: FastifyReply) =>
        reply
          .code(403)
          .type('text/plain')
          .send('Refused: this request does not come from the preference page (Origin).\n');

      app.get<{ Params: { token: string } }>('/preferences/:token', async (request, reply) => {
        const target = await actions.resolve(request.params.token, ['preferences']);
        if (!target) return invalid(reply);
        return send(reply, target.list, preferencesPage(target, request.params.token));
      });

      app.post<{ Params: { token: string } }>('/preferences/:token', async (request, reply) => {
        if (!sameOrigin(request, actions.publicUrl)) return refused(reply);
        const body = parseBody(ChoicesForm, request.body);
        if (!body) return malformed(reply);
        const target = await actions.resolve(request.params.token, ['preferences']);
        if (!target) return invalid(reply);
        const language = body.language === undefined ? undefined : listLanguage(target.list, body.language);
        if (body.language !== undefined && !language) return malformed(reply);
        const changed = await actions.setChoices(target, {
          language,
          format: body.format,
          pdf: body.pdf === undefined ? undefined : body.pdf === 'default' ? null : body.pdf,
        });
        if (!changed) return invalid(reply);
        return send(
          reply,
          target.list,
          preferencesPage(
            { ...target, subscriber: changed },
            request.params.token,
            'Your choices are saved.',
          ),
        );
      });

      app.post<{ Params: { token: string } }>('/preferences/:token/address', async (request, reply) => {
        if (!sameOrigin(request, actions.publicUrl)) return refused(reply);
        const body = parseBody(AddressForm, request.body);
        const address = body && normaliseAddress(body.email);
        const target = await actions.resolve(request.params.token, ['preferences']);
        if (!target) return invalid(reply);
        if (!address) {
          const page = preferencesPage(target, request.params.token, 'That is not an email address.');
          return send(reply, target.list, page, 400);
        }
        if (target.subscriber.status !== 'confirmed') {
          const page = preferencesPage(target, request.params.token, 'Only a subscribed address can move.');
          return send(reply, target.list, page, 409);
        }
        const requested = await actions.requestAddressChange(target.list, target.subscriber, address);
        return send(
          reply,
          target.list,
          {
            title: requested ? 'Please check the new inbox' : 'That address is already on the list',
            paragraphs: [
              requested
                ? `A message is on its way to ${address}. Open it and confirm: until then ${target.list.name} goes to ${target.subscriber.email}.`
                : `${address} already has its own subscription to ${target.list.name}.`,
            ],
          },
          requested ? 200 : 409,
        );
      });

      app.post<{ Params: { token: string } }>('/preferences/:token/leave', async (request, reply) => {
        if (!sameOrigin(request, actions.publicUrl)) return refused(reply);
        const target = await actions.resolve(request.params.token, ['preferences']);
        if (!target) return invalid(reply);
        await actions.unsubscribe(target);
        return send(reply, target.list, {
          title: 'You are unsubscribed',
          paragraphs: [`${target.subscriber.email} will not receive ${target.list.name} any more.`],
        });
      });

      app.post<{ Params: { token: string } }>('/preferences/:token/data', async (request, reply) => {
        if (!sameOrigin(request, actions.publicUrl)) return refused(reply);
        const body = parseBody(DataForm, request.body);
        if (!body) return malformed(reply);
        const target = await actions.resolve(request.params.token, ['preferences']);
        const record = target && (await actions.record(target));
        if (!target || !record) return invalid(reply);
        const name = `${target.list.slug}-subscriber-${target.subscriber.id}.${body.as}`;
        return reply
          .code(200)
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="${name}"`)
          .type(body.as === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8')
          .send(body.as === 'json' ? `${JSON.stringify(record, null, 2)}\n` : recordCsv(record));
      });

      app.post<{ Params: { token: string } }>('/preferences/:token/erase', async (request, reply) => {
        if (!sameOrigin(request, actions.publicUrl)) return refused(reply);
        if (!parseBody(EraseForm, request.body)) return malformed(reply);
        const target = await actions.resolve(request.params.token, ['preferences']);
        if (!target) return invalid(reply);
        await actions.erase(target);
        return send(reply, target.list, {
          title: 'You are erased',
          paragraphs: [
            `Nothing about ${target.subscriber.email} is kept by ${target.list.name} any more, except the record of issues already sent to it.`,
          ],
        });
      });
    });
  };
}
