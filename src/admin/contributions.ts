// The contributions section: per publication, what was sent to the list address for the editors,
// newest first (waiting, handled or all); one contribution's text; its attachments as downloads;
// marked handled or waiting again. Every editor may do all of it.
//
// A contribution is a stranger's mail: its text is shown as text (escaped, in <pre>), never as
// the sender's HTML; an attachment is only ever a download (Content-Disposition: attachment, a
// safe file name, application/octet-stream, nosniff, a sandbox CSP), so nothing in it runs on
// the admin's origin.

import { z } from 'zod';
import type { Clock } from '../clock.ts';
import {
  type ContributionSummary,
  getAttachment,
  getContribution,
  listContributions,
  markHandled,
  safeAttachmentName,
} from '../inbound/contributions.ts';
import type { List } from '../list/list.ts';
import type { Db } from '../store/db.ts';
import { parseBody } from '../web/server.ts';
import { type Html, html } from './html.ts';
import { type AdminSection, accountOf, csrfField, flash, sendPage } from './index.ts';
import { choosePublication, ID, idOf, listOf, time } from './publications.ts';

export const CONTRIBUTIONS_PATH = '/admin/contributions';
const PAGE_SIZE = 50;

export interface ContributionsDeps {
  db: Db;
  lists: readonly List[];
  clock: Clock;
}

const SHOWN = ['waiting', 'handled', 'all'] as const;
const listQuery = z.object({
  show: z.enum(SHOWN).optional(),
  before: z.string().regex(ID).optional(),
});
const handledForm = z.object({ handled: z.enum(['yes', 'no']) });

const listPath = (slug: string) => `${CONTRIBUTIONS_PATH}/${slug}`;
const contributionPath = (slug: string, id: number) => `${listPath(slug)}/${id}`;

function sender(c: ContributionSummary): string {
  return c.fromName ? `${c.fromName} <${c.fromAddress ?? '?'}>` : (c.fromAddress ?? '(no From)');
}

function state(c: ContributionSummary): Html {
  if (c.handledAt) return html`handled by ${c.handledBy ?? '?'}, ${time(c.handledAt)}`;
  if (c.heldReason) return html`held: ${c.heldReason}`;
  return html`waiting`;
}

/**
 * `attachment; filename="…"` with a safe ASCII name for every browser and the UTF-8 one (RFC 6266
 * and 8187) for those that read it: no quote, backslash or line break can reach the header.
 */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function contributionsSection(deps: ContributionsDeps): AdminSection {
  const { db, lists } = deps;

  return {
    label: 'Contributions',
    path: CONTRIBUTIONS_PATH,
    routes(app) {
      app.get(CONTRIBUTIONS_PATH, async (request, reply) =>
        choosePublication(
          request,
          reply,
          { title: 'Contributions', path: CONTRIBUTIONS_PATH, lists },
          async (list) => {
            const waiting = await listContributions(db, list.slug, PAGE_SIZE + 1, { handled: false });
            return html`${waiting.length > PAGE_SIZE ? `more than ${PAGE_SIZE}` : waiting.length} waiting`;
          },
        ),
      );

      app.get(`${CONTRIBUTIONS_PATH}/:slug`, async (request, reply) => {
        const list = listOf(lists, request, reply);
        if (!list) return reply;
        const query = listQuery.safeParse(request.query ?? {});
        if (!query.success) return reply.code(400).type('text/plain').send('Bad Request\n');
        const show = query.data.show ?? 'waiting';
        const found = await listContributions(db, list.slug, PAGE_SIZE + 1, {
          before: idOf(query.data.before),
          handled: show === 'all' ? undefined : show === 'handled',
        });
        const shown = found.slice(0, PAGE_SIZE);
        const next = found.length > PAGE_SIZE ? shown.at(-1)?.id : undefined;
        const rows = shown.map(
          (c) => html`<tr>
<td class="n">${c.id}</td><td>${time(c.receivedAt)}</td><td>${sender(c)}</td>
<th scope="row"><a href="${contributionPath(list.slug, c.id)}">${c.subject || '(no subject)'}</a></th>
<td class="n">${c.attachments}</td><td>${state(c)}</td>
</tr>`,
        );
        const filters = SHOWN.map(
          (s) =>
            html`<li><a href="${listPath(list.slug)}?show=${s}"${s === show ? html` aria-current="true"` : ''}>${s}</a></li>`,
        );
        return sendPage(request, reply, {
          title: `Contributions to ${list.name}`,
          body: html`<nav aria-label="Which contributions"><ul>${filters}</ul></nav>
${
  rows.length
    ? html`<table><caption>${show === 'all' ? 'All' : show === 'waiting' ? 'Waiting' : 'Handled'}, newest first</caption>
<thead><tr><th scope="col" class="n">No.</th><th scope="col">Received</th><th scope="col">From</th><th scope="col">Subject</th><th scope="col" class="n">Attachments</th><th scope="col">State</th></tr></thead>
<tbody>${rows}</tbody></table>
${next ? html`<p><a href="${listPath(list.slug)}?show=${show}&amp;before=${next}">Older contributions</a></p>` : ''}`
    : html`<p>None ${show === 'all' ? 'yet' : show}.</p>`
}`,
        });
      });

      app.get(`${CONTRIBUTIONS_PATH}/:slug/:id`, async (request, reply) => {
        const list = listOf(lists, request, reply);
        if (!list) return reply;
        const id = idOf((request.params as { id: string }).id);
        const c = id === undefined ? undefined : await getContribution(db, list.slug, id);
        if (!c) return reply.code(404).type('text/plain').send('No such contribution.\n');
        const files = c.attachmentList.map(
          (a) =>
            html`<li><a href="${contributionPath(list.slug, c.id)}/attachments/${a.id}" download="${safeAttachmentName(a.filename, `attachment-${a.id}`)}">${safeAttachmentName(a.filename, `attachment-${a.id}`)}</a> (${a.contentType}, ${a.size.toLocaleString('en')} bytes)</li>`,
        );
        const toggle = c.handledAt
          ? html`<form class="inline" method="post" action="${contributionPath(list.slug, c.id)}/handled">${csrfField(reply)}<input type="hidden" name="handled" value="no"><button type="submit" class="action">Mark as waiting again</button></form>`
          : html`<form class="inline" method="post" action="${contributionPath(list.slug, c.id)}/handled">${csrfField(reply)}<input type="hidden" name="handled" value="yes"><button type="submit" class="action">Mark as handled</button></form>`;
        return sendPage(request, reply, {
          title: c.subject || '(no subject)',
          body: html`<dl class="facts">
<dt>Number</dt><dd>${c.id}</dd>
<dt>From</dt><dd>${sender(c)}</dd>
<dt>Envelope sender</dt><dd>${c.envelopeFrom ?? '<>'}</dd>
<dt>Received</dt><dd>${time(c.receivedAt)}</dd>
<dt>State</dt><dd>${state(c)}</dd>
</dl>
${toggle}
<h2>Text</h2>
<pre style="white-space: pre-wrap">${c.text ?? '(no text part)'}</pre>
${files.length ? html`<h2>Attachments</h2><ul>${files}</ul>` : ''}
<p><a href="${listPath(list.slug)}">All contributions to ${list.name}</a></p>`,
        });
      });

      app.get(`${CONTRIBUTIONS_PATH}/:slug/:id/attachments/:attachment`, async (request, reply) => {
        const list = listOf(lists, request, reply);
        if (!list) return reply;
        const params = request.params as { id: string; attachment: string };
        const id = idOf(params.id);
        const attachmentId = idOf(params.attachment);
        const file =
          id === undefined || attachmentId === undefined
            ? undefined
            : await getAttachment(db, list.slug, id, attachmentId);
        if (!file) return reply.code(404).type('text/plain').send('No such attachment.\n');
        return reply
          .header('content-type', 'application/octet-stream')
          .header(
            'content-disposition',
            attachmentDisposition(safeAttachmentName(file.filename, `attachment-${attachmentId}`)),
          )
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "sandbox; default-src 'none'")
          .header('cache-control', 'no-store')
          .send(file.content);
      });

      app.post(`${CONTRIBUTIONS_PATH}/:slug/:id/handled`, async (request, reply) => {
        const list = listOf(lists, request, reply);
        if (!list) return reply;
        const id = idOf((request.params as { id: string }).id);
        const form = parseBody(handledForm, request.body);
        if (id === undefined || !form) return reply.code(400).type('text/plain').send('Bad Request\n');
        const done = await markHandled(
          db,
          list.slug,
          id,
          form.handled === 'yes' ? { by: accountOf(request).name, now: deps.clock.date() } : false,
        );
        if (!done) return reply.code(404).type('text/plain').send('No such contribution.\n');
        flash(
          request,
          form.handled === 'yes'
            ? `Contribution ${id} marked handled.`
            : `Contribution ${id} is waiting again.`,
        );
        return reply.redirect(contributionPath(list.slug, id), 303);
      });
    },
  };
}
