// The public site served by `bulletin serve`: the home page, each publication's archive (with
// /<publication>/page/<n>/), its issues' pages, its feeds, and search. The editions' files (PDF,
// images) keep going out through src/web/editions.ts (ETag, Last-Modified, 304, Range), which
// asks this module for the archive and issue pages.

import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../store/db.ts';
import { type EditionPages, editionRoutes, type FillMiss } from '../web/editions.ts';
import type { RouteRegistrar } from '../web/server.ts';
import { ATOM_TYPE, atomFeed, JSON_FEED_TYPE, jsonFeed } from './feeds.ts';
import { paths, scopeOf } from './links.ts';
import { renderArchive, renderHome, renderIssue, renderSearch, type SiteOptions } from './pages.ts';
import { type PublishedIssues, publishedTranslations, type SitePublication } from './published.ts';
import { MAX_QUERY_LENGTH, searchArticles } from './search.ts';
import { robots, SITEMAP_TYPE, sitemap } from './sitemap.ts';

const HTML = 'text/html; charset=utf-8';
/** Pages and feeds change when an issue is published; readers and feed readers revalidate after 5 minutes. */
const CACHE = 'public, max-age=300';
const SEARCH_LIMIT = 50;
/** A publication's feeds, in each language: /<publication>/feed.xml, /<publication>/fr/feed.xml … */
const FEEDS = [
  ['feed.xml', ATOM_TYPE, atomFeed],
  ['feed.json', JSON_FEED_TYPE, jsonFeed],
] as const;

/** `?q=…`: one string; anything else (repeated, nested) is no query. */
const SearchParams = z.object({ q: z.string().optional() });

export interface SiteDeps {
  dataDir: string;
  publicUrl: string;
  publications: readonly SitePublication[];
  published: PublishedIssues;
  db: Db;
  /** An edition's file the local folder lacks, fetched from the database. */
  fillMiss?: FillMiss;
}

export function siteRoutes(deps: SiteDeps): RouteRegistrar {
  const site: SiteOptions = { publicUrl: deps.publicUrl, mode: 'served', publications: deps.publications };
  const bySlug = new Map(deps.publications.map((p) => [p.slug, p]));
  /** A page or feed with an ETag of its bytes: feed readers poll, and a 304 costs them nothing. */
  const cached = (request: FastifyRequest, reply: FastifyReply, type: string, body: string) => {
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    reply.type(type).header('cache-control', CACHE).header('etag', etag);
    const asked = request.headers['if-none-match'];
    if (asked?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))
      return reply.code(304).send();
    return reply.send(body);
  };

  /** A language's published issues: the default's for its code or none. */
  const issuesIn = (publication: SitePublication, code: string) =>
    deps.published.of(publication.slug, code === publication.languages[0] ? undefined : code);
  /** The languages with a published issue (`code`: that issue), in the publication's order. */
  const languagesWith = async (publication: SitePublication, code?: string) => {
    const found = await Promise.all(
      publication.languages.map(async (language) => {
        const issues = await issuesIn(publication, language);
        return (code === undefined ? issues.length > 0 : issues.some((r) => r.code === code))
          ? [language]
          : [];
      }),
    );
    return found.flat();
  };
  /** Page `page` of the archive in `language` (a code of the publication). */
  const archive = async (
    publication: SitePublication,
    language: string,
    page: number,
    reply: FastifyReply,
  ) => {
    const issues = await issuesIn(publication, language);
    // A translation with nothing published yet has no archive (the static copy writes none either).
    if (!issues.length && language !== publication.languages[0]) return reply.callNotFound();
    const html = renderArchive(site, publication, issues, page, {
      code: language,
      available: await languagesWith(publication),
    });
    return html ? cached(reply.request, reply, HTML, html) : reply.callNotFound();
  };

  const pages: EditionPages = {
    async archive(slug: string, reply: FastifyReply) {
      const publication = bySlug.get(slug);
      if (!publication) return reply.callNotFound();
      return archive(publication, publication.languages[0] as string, 1, reply);
    },
    async issue(slug: string, code: string, reply: FastifyReply, language?: string) {
      const publication = bySlug.get(slug);
      if (!publication || (language && !publication.languages.slice(1).includes(language))) return undefined;
      const issues = await deps.published.of(slug, language);
      const record = issues.find((r) => r.code === code);
      if (!record) return undefined; // the stored web edition, if there is one
      const available = await languagesWith(publication, code);
      return cached(reply.request, reply, HTML, renderIssue(site, publication, issues, record, available));
    },
    /** /<publication>/<language>/…: the translation's archive (and its pages) and feeds. */
    async language(slug: string, language: string, rest: string, reply: FastifyReply) {
      const publication = bySlug.get(slug);
      if (!publication?.languages.includes(language)) return reply.callNotFound();
      const [defaultLanguage] = publication.languages;
      // The default language lives at /<publication>/ itself: one address per page.
      if (language === defaultLanguage) return reply.redirect(`/${paths.archive(slug)}${rest}`, 301);
      const scope = scopeOf(slug, language);
      if (rest === '') return archive(publication, language, 1, reply);
      if (rest === 'search') return search(publication, reply.request.query, reply, language);
      // One sign-up per publication: the stored web edition's footer links ../subscribe.
      if (rest === 'subscribe') return reply.redirect(`/${paths.subscribe(slug)}`, 302);
      if (/^\d{3,}$/.test(rest)) return reply.redirect(`/${paths.issue(scope, rest)}`, 301);
      const page = /^page\/([1-9]\d{0,5})(\/?)$/.exec(rest);
      if (page) {
        const number = Number(page[1]);
        if (!page[2] || number === 1) return reply.redirect(`/${paths.archive(scope, number)}`, 301);
        return archive(publication, language, number, reply);
      }
      const feed = FEEDS.find(([file]) => file === rest);
      if (!feed) return reply.callNotFound();
      const [, type, render] = feed;
      return cached(
        reply.request,
        reply,
        type,
        render(publication, await issuesIn(publication, language), deps.publicUrl, language),
      );
    },
  };

  /** A publication's edition in one language, as search wants it (`code` absent: the default's). */
  const searched = (publication: SitePublication, code?: string) =>
    code && code !== publication.languages[0]
      ? { slug: publication.slug, language: code, edition: code }
      : { slug: publication.slug, language: publication.language };
  /** A publication's search in one of its languages (`language`: a translation's), or the whole site's in all. */
  const search = async (
    publication: SitePublication | undefined,
    query: unknown,
    reply: FastifyReply,
    language?: string,
  ) => {
    const params = SearchParams.safeParse(query);
    const text = params.success ? (params.data.q ?? '').trim().slice(0, MAX_QUERY_LENGTH) : '';
    const hits = text
      ? await searchArticles(deps.db, {
          text,
          publications: publication
            ? [searched(publication, language)]
            : deps.publications.flatMap((p) => p.languages.map((code) => searched(p, code))),
          limit: SEARCH_LIMIT,
        })
      : [];
    return reply
      .type(HTML)
      .header('cache-control', 'no-store')
      .send(
        renderSearch(site, {
          publication,
          language,
          query: text,
          hits,
          capped: hits.length === SEARCH_LIMIT,
        }),
      );
  };

  return async (app) => {
    await editionRoutes(deps.dataDir, pages, deps.fillMiss)(app);

    app.get('/', async (request, reply) => {
      const latest = new Map(
        await Promise.all(
          deps.publications.map(async (p) => [p.slug, await deps.published.of(p.slug)] as const),
        ),
      );
      return cached(request, reply, HTML, renderHome(site, latest));
    });

    app.get('/sitemap.xml', async (request, reply) => {
      const issues = new Map(
        await Promise.all(
          deps.publications.map(async (p) => [p.slug, await deps.published.of(p.slug)] as const),
        ),
      );
      const translations = await publishedTranslations(deps.published, deps.publications);
      return cached(
        request,
        reply,
        SITEMAP_TYPE,
        sitemap(deps.publicUrl, deps.publications, issues, translations),
      );
    });
    app.get('/robots.txt', async (request, reply) =>
      cached(request, reply, 'text/plain; charset=utf-8', robots(deps.publicUrl, 'served')),
    );

    app.get(`/${paths.search}`, async (request, reply) => search(undefined, request.query, reply));

    app.get<{ Params: { publication: string } }>('/:publication/search', async (request, reply) => {
      const publication = bySlug.get(request.params.publication);
      if (!publication) return reply.callNotFound();
      return search(publication, request.query, reply);
    });

    // The archive's pages are folders (as in the static copy): the address without the slash leads there.
    app.get<{ Params: { publication: string; page: string } }>(
      '/:publication/page/:page',
      async (request, reply) => {
        const { publication, page } = request.params;
        if (!bySlug.has(publication) || !/^[1-9]\d{0,5}$/.test(page)) return reply.callNotFound();
        return reply.redirect(`/${paths.archive(publication, Number(page))}`, 301);
      },
    );

    app.get<{ Params: { publication: string; page: string } }>(
      '/:publication/page/:page/',
      async (request, reply) => {
        const publication = bySlug.get(request.params.publication);
        const number = /^[1-9]\d{0,5}$/.test(request.params.page) ? Number(request.params.page) : 0;
        // Page 1 is the archive itself: one address per page.
        if (publication && number === 1) return reply.redirect(`/${paths.archive(publication.slug)}`, 301);
        if (!publication || !number) return reply.callNotFound();
        return archive(publication, publication.languages[0] as string, number, reply);
      },
    );

    for (const [file, type, render] of FEEDS) {
      app.get<{ Params: { publication: string } }>(`/:publication/${file}`, async (request, reply) => {
        const publication = bySlug.get(request.params.publication);
        if (!publication) return reply.callNotFound();
        const issues = await deps.published.of(publication.slug);
        return cached(request, reply, type, render(publication, issues, deps.publicUrl));
      });
    }
  };
}
