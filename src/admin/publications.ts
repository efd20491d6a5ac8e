// What the subscribers and contributions sections share: each works on one publication's list at a
// time (`/admin/<section>/<slug>`), chosen on a page of its own when there are several; times
// written one way.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { List } from '../list/list.ts';
import { type Html, html } from './html.ts';
import { sendPage } from './index.ts';

/** A whole number from a path or a query: ids and cursors. */
export const ID = /^\d{1,15}$/;

export function idOf(value: string | undefined): number | undefined {
  return value !== undefined && ID.test(value) ? Number(value) : undefined;
}

export function time(date: Date | null | undefined): Html {
  if (!date) return html`–`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** The list named by the `:slug` of the path, or a 404 sent. */
export function listOf(
  lists: readonly List[],
  request: FastifyRequest,
  reply: FastifyReply,
): List | undefined {
  const { slug } = request.params as { slug?: string };
  const list = lists.find((l) => l.slug === slug);
  if (!list) reply.code(404).type('text/plain').send('No such publication.\n');
  return list;
}

/**
 * The section's front page: straight to the list when there is one, else a table of the
 * publications, each with what `describe` says about it.
 */
export async function choosePublication(
  request: FastifyRequest,
  reply: FastifyReply,
  section: { title: string; path: string; lists: readonly List[] },
  describe: (list: List) => Promise<Html>,
): Promise<FastifyReply> {
  const [only] = section.lists;
  if (section.lists.length === 1 && only) return reply.redirect(`${section.path}/${only.slug}`, 303);
  const rows: Html[] = [];
  for (const list of section.lists) {
    rows.push(
      html`<tr><th scope="row"><a href="${section.path}/${list.slug}">${list.name}</a></th><td>${await describe(list)}</td></tr>`,
    );
  }
  return sendPage(request, reply, {
    title: section.title,
    body: rows.length
      ? html`<table><caption>Publications</caption>
<thead><tr><th scope="col">Publication</th><th scope="col">Now</th></tr></thead>
<tbody>${rows}</tbody></table>`
      : html`<p>No publications: create <code>issues/&lt;slug&gt;/publication.yml</code>.</p>`,
  });
}
