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
  const template = Handlebars.create().compile(readFileSync(join(templatesDir, 'page.hbs'), 'utf8'));
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
        title: 'This link has expired or is not valid',
        paragraphs: [
          'Links in our emails expire after a while. Please start again from a recent email, or write to the list address.',
        ],
      },
      400,
    );
  const malformed = (reply: FastifyReply) =>
    send(
      reply,
      undefined,
      {
        title: 'That request was not understood',
        paragraphs: ['Please press the button on the page again, or start again from a recent email.'],
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
        return send(reply, list, {
          title: `Subscribe to ${list.name}`,
          paragraphs: [
            `${list.name} is sent by email. We will send a message to the address you give: it is only subscribed once you confirm from there.`,
          ],
          button: 'Subscribe',
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
        if (!body || !address) {
          return send(
            reply,
            list,
            {
              title: 'That is not an email address',
              paragraphs: ['Please check the address and try again.'],
              button: 'Subscribe',
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
            { title: 'Too many requests', paragraphs: ['Please try again in an hour.'] },
            429,
          );
        }
        if (!body.website) {
          await actions.requestSubscription(list, { address, name: cleanName(body.name) }, { source: 'web' });
        }
        return send(reply, list, {
          title: 'Please check your inbox',
          paragraphs: [
            `If ${address} can receive mail, a message is on its way to it. Open it and confirm to receive ${list.name}.`,
          ],
        });
      });

      app.get<{ Params: { token: string } }>('/confirm/:token', async (request, reply) => {
        const target = await actions.resolve(request.params.token, ['subscribe']);
        if (!target) return invalid(reply);
        return send(reply, target.list, {
          title: `Subscribe to ${target.list.name}`,
          paragraphs: [
            `Press the button to confirm that ${target.subscriber.email} wants to receive ${target.list.name}.`,
          ],
          button: 'Confirm my subscription',
          action: `/confirm/${request.params.token}`,
        });
      });

      app.post<{ Params: { token: string } }>('/confirm/:token', async (request, reply) => {
        if (!parseBody(ButtonForm, request.body)) return malformed(reply);
        const target = await actions.resolve(request.params.token, ['subscribe']);
        if (!target) return invalid(reply);
        await actions.confirm(target, { method: 'web', evidence: `confirm page from ${request.ip}` });
        return send(reply, target.list, {
          title: 'You are subscribed',
          paragraphs: [
            `${target.subscriber.email} will receive ${target.list.name}. A welcome email is on its way.`,
          ],
        });
      });

      // A change of name someone asked for (src/subscribers/actions.ts): the owner confirms it here.
      app.get<{ Params: { token: string } }>('/change/:token', async (request, reply) => {
        const target = await actions.resolveChange(request.params.token);
        if (!target) return invalid(reply);
        return send(reply, target.list, {
          title: `Change your subscription to ${target.list.name}`,
          paragraphs: [
            `Press the button to confirm that ${target.subscriber.email} is to be addressed as "${target.name ?? ''}".`,
          ],
          button: 'Confirm the change',
          action: `/change/${request.params.token}`,
        });
      });

      app.post<{ Params: { token: string } }>('/change/:token', async (request, reply) => {
        if (!parseBody(ButtonForm, request.body)) return malformed(reply);
        const target = await actions.resolveChange(request.params.token);
        if (!target || !(await actions.applyChange(target, { evidence: `change page from ${request.ip}` })))
          return invalid(reply);
        return send(reply, target.list, {
          title: 'Your subscription is changed',
          paragraphs: [`${target.subscriber.email} is now addressed as "${target.name ?? ''}".`],
        });
      });

      app.get<{ Params: { token: string } }>('/unsubscribe/:token', async (request, reply) => {
        const target = await actions.resolve(request.params.token, ['unsubscribe']);
        if (!target) return invalid(reply);
        return send(reply, target.list, {
          title: `Unsubscribe from ${target.list.name}`,
          paragraphs: [
            `Press the button and ${target.subscriber.email} will not receive ${target.list.name} any more.`,
          ],
          button: 'Unsubscribe',
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
        return send(reply, target.list, {
          title: 'You are unsubscribed',
          paragraphs: [`${target.subscriber.email} will not receive ${target.list.name} any more.`],
        });
      });
    });
  };
}
