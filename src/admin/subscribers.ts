// The subscribers section: per publication, the readers found by any part of their address and by
// status, a page at a time; one reader's record (consent, history, who did what); and what editors
// do, through src/subscribers/editors.ts, under the rules everyone else follows.
//
// Who may do what (roles of src/admin/accounts.ts):
//   - an editor: look, search, read a record; invite a reader (a confirmation mail they must
//     answer: no confirmed reader without them); unsubscribe a reader (always safe for the reader,
//     recorded with who did it);
//   - a publisher, besides: add a reader as confirmed with the consent they gave elsewhere (the
//     editor's word becomes the consent record, as with an import), import a CSV (the rules of
//     `bulletin subscribers import`), export the list (personal data leaving the system, logged),
//     and erase a reader (GDPR: for good, after typing the address on a page of its own).

import { PassThrough, Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { type List, listLanguages } from '../list/list.ts';
import type { Db } from '../store/db.ts';
import type { ListActions } from '../subscribers/actions.ts';
import { cleanName, normaliseAddress } from '../subscribers/address.ts';
import { findSubscribers, MIN_SEARCH_LENGTH, subscriberRecord } from '../subscribers/directory.ts';
import { addWithConsent, importBy, inviteSubscriber, unsubscribeBy } from '../subscribers/editors.ts';
import { exportSubscribers } from '../subscribers/export.ts';
import { ImportFormatError, type ImportReport } from '../subscribers/import.ts';
import { STATUSES, type Status, type Subscriber } from '../subscribers/model.ts';
import { countByStatus, eraseSubscriber, getSubscriber } from '../subscribers/store.ts';
import { parseBody } from '../web/server.ts';
import { type Html, html } from './html.ts';
import { type AdminSection, accountOf, can, csrfField, flash, requireRole, sendPage } from './index.ts';
import { choosePublication, ID, idOf, listOf, time } from './publications.ts';

export const SUBSCRIBERS_PATH = '/admin/subscribers';
/** An upload larger than this is a job for `bulletin subscribers import` (streamed, any size). */
export const IMPORT_MAX_BYTES = 32 * 1024 * 1024;

export interface SubscribersDeps {
  db: Db;
  lists: readonly List[];
  /** Invitations send the same confirmation mail a sign-up gets. */
  actions: ListActions;
  clock: Clock;
  log: Pick<Logger, 'info'>;
  /** The largest CSV upload (IMPORT_MAX_BYTES unless a test says otherwise). */
  importMaxBytes?: number;
}

const listQuery = z.object({
  q: z.string().max(254).optional(),
  status: z.enum(STATUSES).or(z.literal('')).optional(),
  before: z.string().regex(ID).optional(),
});
const inviteForm = z.object({ email: z.string().max(254), name: z.string().max(200).optional() });
const addForm = inviteForm.extend({ consent: z.string().trim().min(10).max(300) });
const eraseForm = z.object({ address: z.string().max(254) });
/** An uploaded file as onFile (below) leaves it in the body. */
interface Upload {
  content: Buffer;
  filename: string;
}
const importForm = z.object({
  status: z.enum(['confirmed', 'pending']),
  file: z.object({ content: z.instanceof(Buffer), filename: z.string() }),
});

const listPath = (slug: string) => `${SUBSCRIBERS_PATH}/${slug}`;
const readerPath = (s: Subscriber) => `${listPath(s.publication)}/${s.id}`;

export function subscribersSection(deps: SubscribersDeps): AdminSection {
  const { db, lists } = deps;
  const by = (request: FastifyRequest) => ({ actor: accountOf(request).name, now: deps.clock.date() });

  /** The reader of the `:id` in the path, on the `:slug` list, or a 404 sent. */
  async function readerOf(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ list: List; subscriber: Subscriber } | undefined> {
    const list = listOf(lists, request, reply);
    if (!list) return undefined;
    const id = idOf((request.params as { id?: string }).id);
    const subscriber = id === undefined ? undefined : await getSubscriber(db, id);
    if (subscriber?.publication !== list.slug) {
      reply.code(404).type('text/plain').send('No such reader on this list.\n');
      return undefined;
    }
    return { list, subscriber };
  }

  const back = (reply: FastifyReply, list: List) => reply.redirect(listPath(list.slug), 303);

  return {
    label: 'Subscribers',
    path: SUBSCRIBERS_PATH,
    async routes(app) {
      // Uploads (import) only; the file is read into memory up to the limit, then the fields
      // (the CSRF token among them) are checked like any form's.
      await app.register(multipart, {
        attachFieldsToBody: 'keyValues',
        limits: { fileSize: deps.importMaxBytes ?? IMPORT_MAX_BYTES, files: 1, fields: 5, parts: 6 },
        async onFile(part) {
          const upload: Upload = { content: await part.toBuffer(), filename: part.filename };
          (part as unknown as { value: Upload }).value = upload;
        },
      });

      // An upload over the limit: a page saying what to do instead of a bare 413.
      app.setErrorHandler(async (error: { code?: string }, request, reply) => {
        if (error.code !== 'FST_REQ_FILE_TOO_LARGE') throw error;
        const maxMiB = (deps.importMaxBytes ?? IMPORT_MAX_BYTES) / 1024 / 1024;
        return sendPage(request, reply, {
          status: 413,
          title: 'File too large',
          body: html`<p class="error" role="alert">The file is larger than ${maxMiB} MiB: nothing was imported.
Import it with <code>bulletin subscribers --publication &lt;slug&gt; import &lt;file&gt;</code>, which reads any size.</p>`,
        });
      });

      app.get(SUBSCRIBERS_PATH, async (request, reply) =>
        choosePublication(
          request,
          reply,
          { title: 'Subscribers', path: SUBSCRIBERS_PATH, lists },
          async (list) => {
            const counts = await countByStatus(db, list.slug);
            return html`${counts.confirmed} confirmed, ${counts.pending} pending`;
          },
        ),
      );

      app.get(`${SUBSCRIBERS_PATH}/:slug`, async (request, reply) => {
        const list = listOf(lists, request, reply);
        if (!list) return reply;
        const query = listQuery.safeParse(request.query ?? {});
        if (!query.success) return reply.code(400).type('text/plain').send('Bad Request\n');
        const status = query.data.status || undefined;
        const search = query.data.q?.trim() ?? '';
        const [counts, page] = await Promise.all([
          countByStatus(db, list.slug),
          findSubscribers(db, list.slug, { status, search, before: idOf(query.data.before) }),
        ]);
        const filterLinks = STATUSES.map(
          (s) =>
            html`<li><a href="${listPath(list.slug)}?status=${s}"${s === status ? html` aria-current="true"` : ''}>${s}</a>: ${counts[s]}</li>`,
        );
        const rows = page.subscribers.map(
          (s) => html`<tr>
<th scope="row"><a href="${readerPath(s)}">${s.email}</a></th>
<td>${s.name ?? ''}</td><td>${s.status}</td><td>${s.source}</td><td>${time(s.createdAt)}</td>
</tr>`,
        );
        const older = page.next
          ? html`<p><a href="${listPath(list.slug)}?${new URLSearchParams({
              ...(search ? { q: search } : {}),
              ...(status ? { status } : {}),
              before: String(page.next),
            }).toString()}">Older readers</a></p>`
          : '';
        const statusOptions = STATUSES.map(
          (s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${s}</option>`,
        );
        return sendPage(request, reply, {
          title: `Subscribers of ${list.name}`,
          body: html`<section aria-labelledby="counts"><h2 id="counts">By status</h2>
<ul>${filterLinks}</ul>
<p><a href="${listPath(list.slug)}">Everyone</a></p></section>
<form method="get" action="${listPath(list.slug)}" role="search">
<label for="q">Address contains</label>
<input type="search" id="q" name="q" value="${search}" minlength="${MIN_SEARCH_LENGTH}" maxlength="254">
<label for="status">Status</label>
<select id="status" name="status"><option value="">any</option>${statusOptions}</select>
<p><button class="action" type="submit">Search</button></p>
</form>
${page.tooShort ? html`<p class="error" role="alert">Type at least ${MIN_SEARCH_LENGTH} characters of the address.</p>` : ''}
${page.matching === 'start' && search ? html`<p>This database has no pg_trgm: addresses are matched by their start.</p>` : ''}
${
  rows.length
    ? html`<table><caption>${search ? html`Addresses containing “${search}”` : 'Readers'}${status ? html`, ${status}` : ''}, newest first</caption>
<thead><tr><th scope="col">Address</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">Since</th></tr></thead>
<tbody>${rows}</tbody></table>${older}`
    : html`<p>No reader found.</p>`
}
${inviteForms(request, reply, list)}
${bulkForms(request, reply, list)}`,
        });
      });

      app.post(`${SUBSCRIBERS_PATH}/:slug/invite`, async (request, reply) => {
        const list = listOf(lists, request, reply);
        if (!list) return reply;
        const form = parseBody(inviteForm, request.body);
        if (!form) return reply.code(400).type('text/plain').send('Bad Request\n');
        const address = normaliseAddress(form.email);
        if (!address) {
          flash(request, `“${form.email}” is not an email address: nobody was invited.`);
          return back(reply, list);
        }
        const invited = await inviteSubscriber(
          db,
          deps.actions,
          list,
          { address, name: cleanName(form.name) },
          by(request),
        );
        flash(
          request,
          invited.result === 'invited'
            ? `A confirmation mail is on its way to ${address}: they become a reader when they confirm.`
            : invited.result === 'reminded'
              ? `${invited.subscriber.email} has not confirmed yet: the confirmation is mailed again (at most once a day).`
              : invited.result === 'present'
                ? `${invited.subscriber.email} is already on the list (${invited.subscriber.status}): nothing was sent.`
                : `${address} was erased at its owner's request: only they can subscribe again (the sign-up form, or a mail to the list).`,
        );
        return invited.result === 'present' || invited.result === 'reminded'
          ? reply.redirect(readerPath(invited.subscriber), 303)
          : back(reply, list);
      });

      const publisher = { preHandler: requireRole('publisher') };

      app.post(`${SUBSCRIBERS_PATH}/:slug/add`, publisher, async (request, reply) => {
        const list = listOf(lists, request, reply);
        if (!list) return reply;
        const form = parseBody(addForm, request.body);
        if (!form) {
          flash(
            request,
            'Say where and how they gave their consent (10 to 300 characters): nobody was added.',
          );
          return back(reply, list);
        }
        const address = normaliseAddress(form.email);
        if (!address) {
          flash(request, `“${form.email}” is not an email address: nobody was added.`);
          return back(reply, list);
        }
        const added = await addWithConsent(
          db,
          { publication: list.slug, email: address, name: cleanName(form.name), consent: form.consent },
          by(request),
        );
        const messages: Record<typeof added.result, string> = {
          added: `${address} added as a confirmed reader; their consent is recorded as yours.`,
          confirmed: `${address} was waiting for confirmation: now confirmed, with your record of their consent.`,
          unchanged: `${address} is a confirmed reader already: nothing changed.`,
          'opted-out': `${address} unsubscribed, bounced or complained earlier: only they can subscribe again.`,
          erased: `${address} was erased at its owner's request: only they can subscribe again.`,
        };
        flash(request, messages[added.result]);
        return added.subscriber ? reply.redirect(readerPath(added.subscriber), 303) : back(reply, list);
      });

      app.get(`${SUBSCRIBERS_PATH}/:slug/export`, publisher, async (request, reply) => {
        const list = listOf(lists, request, reply);
        if (!list) return reply;
        const query = listQuery.safeParse(request.query ?? {});
        if (!query.success) return reply.code(400).type('text/plain').send('Bad Request\n');
        const status = (query.data.status || undefined) as Status | undefined;
        const day = deps.clock.date().toISOString().slice(0, 10);
        const out = new PassThrough();
        exportSubscribers(db, list.slug, out, { status }).then(
          (count) => {
            deps.log.info(
              { account: accountOf(request).name, publication: list.slug, status, count },
              'subscribers exported from the admin',
            );
            out.end();
          },
          (err: unknown) => out.destroy(err as Error),
        );
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="${list.slug}-subscribers${status ? `-${status}` : ''}-${day}.csv"`,
          )
          .header('cache-control', 'no-store')
          .send(out);
      });

      app.post(`${SUBSCRIBERS_PATH}/:slug/import`, publisher, async (request, reply) => {
        const list = listOf(lists, request, reply);
        if (!list) return reply;
        const form = parseBody(importForm, request.body);
        if (!form) {
          flash(request, 'Choose a CSV file to import.');
          return back(reply, list);
        }
        const filename = form.file.filename.slice(0, 200) || 'upload.csv';
        let report: ImportReport;
        try {
          report = await importBy(
            db,
            Readable.from([form.file.content]),
            { publication: list.slug, filename, defaultStatus: form.status, languages: listLanguages(list) },
            by(request),
          );
        } catch (err) {
          if (!(err instanceof ImportFormatError)) throw err;
          return sendPage(request, reply, {
            status: 400,
            title: `Import into ${list.name}`,
            body: html`<p class="error" role="alert">${filename}: ${err.message}</p>
<p><a href="${listPath(list.slug)}">Back to the subscribers</a></p>`,
          });
        }
        deps.log.info(
          {
            account: accountOf(request).name,
            publication: list.slug,
            file: filename,
            imported: report.imported,
            updated: report.updated,
            skipped: report.skipped,
          },
          'subscribers imported from the admin',
        );
        return sendPage(request, reply, {
          title: `Import into ${list.name}`,
          body: importReport(filename, report, listPath(list.slug)),
        });
      });

      app.get(`${SUBSCRIBERS_PATH}/:slug/:id`, async (request, reply) => {
        const found = await readerOf(request, reply);
        if (!found) return reply;
        const record = await subscriberRecord(db, found.list.slug, found.subscriber.id);
        if (!record) return reply.code(404).type('text/plain').send('No such reader on this list.\n');
        const s = record.subscriber;
        const history = record.history.map(
          (h) =>
            html`<tr><td>${time(h.at)}</td><td>${h.what}</td><td>${h.by ?? ''}</td><td>${h.detail ?? ''}</td></tr>`,
        );
        return sendPage(request, reply, {
          title: s.email,
          body: html`<dl class="facts">
<dt>List</dt><dd>${found.list.name}</dd>
<dt>Name</dt><dd>${s.name ?? '–'}</dd>
<dt>Status</dt><dd>${s.status}</dd>
<dt>Came from</dt><dd>${s.source}</dd>
<dt>Since</dt><dd>${time(s.createdAt)}</dd>
<dt>Confirmed</dt><dd>${time(s.confirmedAt)}</dd>
<dt>Consent</dt><dd>${[s.consentMethod, s.consentEvidence].filter(Boolean).join(': ') || '–'}</dd>
<dt>Unsubscribed</dt><dd>${time(s.unsubscribedAt)}</dd>
<dt>Bounce score</dt><dd>${s.bounceScore}</dd>
</dl>
${
  record.importedConsent
    ? html`<h2>Consent evidence from the import</h2><pre>${JSON.stringify(record.importedConsent, null, 2)}</pre>`
    : ''
}
<table><caption>History, oldest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">By</th><th scope="col">Detail</th></tr></thead>
<tbody>${history}</tbody></table>
${readerActions(request, reply, s)}
<p><a href="${listPath(found.list.slug)}">All subscribers of ${found.list.name}</a></p>`,
        });
      });

      app.post(`${SUBSCRIBERS_PATH}/:slug/:id/unsubscribe`, async (request, reply) => {
        const found = await readerOf(request, reply);
        if (!found) return reply;
        const left = await unsubscribeBy(db, found.list.slug, found.subscriber.id, by(request));
        flash(
          request,
          left
            ? `${left.email} is unsubscribed: no more issues. Only they can subscribe again.`
            : `${found.subscriber.email} was not subscribed (${found.subscriber.status}): nothing changed.`,
        );
        return reply.redirect(readerPath(found.subscriber), 303);
      });

      app.get(`${SUBSCRIBERS_PATH}/:slug/:id/erase`, publisher, async (request, reply) => {
        const found = await readerOf(request, reply);
        if (!found) return reply;
        return sendEraseConfirmation(request, reply, found.subscriber);
      });

      app.post(`${SUBSCRIBERS_PATH}/:slug/:id/erase`, publisher, async (request, reply) => {
        const found = await readerOf(request, reply);
        if (!found) return reply;
        const form = parseBody(eraseForm, request.body);
        const s = found.subscriber;
        if (form?.address.trim().toLowerCase() !== s.email.toLowerCase()) {
          return sendEraseConfirmation(
            request,
            reply,
            s,
            'The address typed is not this reader’s: nothing was erased.',
          );
        }
        await eraseSubscriber(db, found.list.slug, s.email, by(request));
        flash(
          request,
          `${s.email} is erased from ${found.list.name}: their record is gone, and no import or editor can add them again.`,
        );
        return back(reply, found.list);
      });
    },
  };
}

/** Invite (everyone), add with consent (a publisher). */
function inviteForms(request: FastifyRequest, reply: FastifyReply, list: List): Html {
  const invite = html`<section aria-labelledby="invite"><h2 id="invite">Invite a reader</h2>
<p>They are mailed the confirmation a sign-up gets, and become a reader when they confirm.</p>
<form method="post" action="${listPath(list.slug)}/invite">${csrfField(reply)}
<label for="invite-email">Address</label><input type="email" id="invite-email" name="email" required maxlength="254">
<label for="invite-name">Name (optional)</label><input type="text" id="invite-name" name="name" maxlength="200">
<p><button class="action" type="submit">Send the confirmation</button></p>
</form></section>`;
  if (!can(request, 'publisher')) return invite;
  return html`${invite}
<section aria-labelledby="add"><h2 id="add">Add a reader who gave consent elsewhere</h2>
<p>For a paper form or a sign-up sheet: say where and how. It becomes their consent record, with your name.</p>
<form method="post" action="${listPath(list.slug)}/add">${csrfField(reply)}
<label for="add-email">Address</label><input type="email" id="add-email" name="email" required maxlength="254">
<label for="add-name">Name (optional)</label><input type="text" id="add-name" name="name" maxlength="200">
<label for="add-consent">Where and how they gave consent</label><input type="text" id="add-consent" name="consent" required minlength="10" maxlength="300">
<p><button class="action" type="submit">Add as confirmed</button></p>
</form></section>`;
}

/** Import and export: a publisher's. */
function bulkForms(request: FastifyRequest, reply: FastifyReply, list: List): Html {
  if (!can(request, 'publisher'))
    return html`<p>Only a publisher can add readers as confirmed, import, export or erase.</p>`;
  return html`<section aria-labelledby="import"><h2 id="import">Import a CSV</h2>
<p>Our export, listmonk's or Mailchimp's (up to ${IMPORT_MAX_BYTES / 1024 / 1024} MiB; larger files with
<code>bulletin subscribers import</code>). Nobody who unsubscribed, bounced, complained or was erased is
subscribed again; the consent evidence the file carries is kept.</p>
<form method="post" action="${listPath(list.slug)}/import" enctype="multipart/form-data">${csrfField(reply)}
<label for="import-file">CSV file</label><input type="file" id="import-file" name="file" accept=".csv,text/csv" required>
<label for="import-status">Rows without a status are</label>
<select id="import-status" name="status"><option value="confirmed">confirmed (they gave consent to the old list)</option><option value="pending">pending</option></select>
<p><button class="action" type="submit">Import</button></p>
</form></section>
<section aria-labelledby="export"><h2 id="export">Export</h2>
<p><a href="${listPath(list.slug)}/export">Every reader as CSV</a> ·
<a href="${listPath(list.slug)}/export?status=confirmed">Confirmed readers as CSV</a></p></section>`;
}

/** Unsubscribe (everyone, while subscribed), erase (a publisher). */
function readerActions(request: FastifyRequest, reply: FastifyReply, s: Subscriber): Html {
  const unsubscribe =
    s.status === 'pending' || s.status === 'confirmed'
      ? html`<form class="inline" method="post" action="${readerPath(s)}/unsubscribe">${csrfField(reply)}<button type="submit" class="action">Unsubscribe</button></form>`
      : '';
  const erase = can(request, 'publisher')
    ? html`<a href="${readerPath(s)}/erase">Erase this reader (GDPR)…</a>`
    : '';
  if (!unsubscribe && !erase) return html``;
  return html`<section aria-labelledby="actions"><h2 id="actions">Actions</h2>${unsubscribe} ${erase}</section>`;
}

function sendEraseConfirmation(
  request: FastifyRequest,
  reply: FastifyReply,
  s: Subscriber,
  error?: string,
): FastifyReply {
  return sendPage(request, reply, {
    status: error ? 400 : 200,
    title: `Erase ${s.email}?`,
    body: html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<p>Erasing deletes this reader for good: the address, name, consent record and history, and the
address in the records of issues sent to them. Only a digest of the address stays, so that no
import or editor adds them again; they can still subscribe themselves. This cannot be undone.</p>
<form method="post" action="${readerPath(s)}/erase">${csrfField(reply)}
<label for="erase-address">Type the address to confirm</label>
<input type="text" id="erase-address" name="address" required autocomplete="off" maxlength="254">
<p><button type="submit" class="action danger">Erase for good</button></p>
</form>
<p><a href="${readerPath(s)}">Keep the reader</a></p>`,
  });
}

function importReport(filename: string, report: ImportReport, back: string): Html {
  const statuses = [...report.statuses].map(([status, n]) => `${n} ${status}`).join(', ');
  const reasons = [...report.reasons]
    .sort(([, a], [, b]) => (a.lines[0] ?? 0) - (b.lines[0] ?? 0))
    .map(
      ([reason, { count, lines }]) =>
        html`<tr><td class="n">${count}</td><td>${reason}</td><td>${lines.join(', ')}${count > lines.length ? ', …' : ''}</td></tr>`,
    );
  return html`<p role="status">${filename}: ${report.imported} imported, ${report.updated} updated, ${report.skipped} skipped.</p>
${statuses ? html`<p>As ${statuses}; consent evidence kept for ${report.withEvidence}.</p>` : ''}
${
  reasons.length
    ? html`<table><caption>Skipped, and why</caption>
<thead><tr><th scope="col" class="n">Rows</th><th scope="col">Why</th><th scope="col">Lines</th></tr></thead>
<tbody>${reasons}</tbody></table>`
    : ''
}
<p><a href="${back}">Back to the subscribers</a></p>`;
}
