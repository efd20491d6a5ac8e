// Confirm and unsubscribe pages. A GET only shows a page whose button POSTs: link scanners and
// mail previews fetch links, and must not (un)subscribe anyone. POST /unsubscribe/<token> with the
// body List-Unsubscribe=One-Click is RFC 8058 one-click unsubscription from the mail client.
// Invalid or expired tokens all get the same page, so nothing is revealed about any address.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply } from 'fastify';
import Handlebars from 'handlebars';
import { z } from 'zod';
import { ClientRateLimiter } from '../client-rate-limiter.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { List } from '../list/list.ts';
import { LIST_TEMPLATES_DIR } from '../list/templates.ts';
import { messagesFor, registerMessageHelpers } from '../messages/index.ts';
import type { ListActions } from '../subscribers/actions.ts';
import { cleanName, normaliseAddress } from '../subscribers/address.ts';
import { parseBody, type RouteRegistrar } from './server.ts';

interface Page {
  title: string;
  paragraphs: string[];
  button?: string;
  action?: string;
  subscribeForm?: boolean;
}

/** The sign-up form's fields; `website` is the robots' trap, left empty by people. */
const SubscribeForm = z.object({
  email: z.string().max(320),
  name: z.string().max(1000).optional(),
  website: z.string().max(1000).optional(),
});
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
          await actions.requestSubscription(list, { address, name: cleanName(body.name) }, { source: 'web' });
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
            m.t('page.change.text', { address: target.subscriber.email, name: target.name ?? '' }),
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
            m.t('page.changed.text', { address: target.subscriber.email, name: target.name ?? '' }),
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
    });
  };
}
