// Published editions, as `publish` stored them under <dataDir>/editions (for `serve`, a cache of
// the database's, brought in line by campaigns/published-editions.ts): the web edition at
// /<publication>/<NNN>/ and its files beside it (the PDF, images). Files go out through
// @fastify/static (send): ETag and Last-Modified with 304 on revalidation, Range requests (206,
// 416), Cache-Control; PDFs also name their file in Content-Disposition.

import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { editionsRoot, UNSERVED_FILES } from '../campaigns/published-editions.ts';
import { contentTypeOf } from '../content-types.ts';
import type { RouteRegistrar } from './server.ts';

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const ISSUE = /^\d{3,}$/;
/** A translation's folder, /<publication>/<language>/: its issues, archive and feeds. */
const LANGUAGE = /^[a-z]{2,3}$/;
/** Browsers revalidate after this (ETag, Last-Modified); a republished file shows within 5 minutes. */
const MAX_AGE_MS = 300_000;

/** One path segment of a served file: no "..", no hidden files. */
const SEGMENT = /^[\w][\w.-]*$/;

/** The pages among the files, which the public site (src/site) brings: the archive, and the issue
 *  page with its navigation. An issue page it has nothing for (undefined), or no pages at all, is
 *  the stored web edition; without pages there is no archive. */
export interface EditionPages {
  archive(publication: string, reply: FastifyReply): Promise<unknown>;
  /** `language`: a translation's issue page, /<publication>/<language>/<NNN>/. */
  issue(
    publication: string,
    issue: string,
    reply: FastifyReply,
    language?: string,
  ): Promise<FastifyReply | undefined>;
  /** Anything else under /<publication>/<language>/ (`rest`: the path after it): its archive and feeds. */
  language?(publication: string, language: string, rest: string, reply: FastifyReply): Promise<unknown>;
}

/** A file the local folder lacks: fetched from the database when it has it (true), see
 *  campaigns/published-editions.ts. */
export type FillMiss = (publication: string, issue: string, path: string) => Promise<boolean>;

export function editionRoutes(dataDir: string, pages?: EditionPages, fillMiss?: FillMiss): RouteRegistrar {
  const root = editionsRoot(dataDir);
  /** Published from another machine, and its notification not seen yet (or lost). `edition`: 005, fr/005. */
  const fillIfMissing = async (
    request: FastifyRequest,
    publication: string,
    edition: string,
    path: string,
  ): Promise<void> => {
    if (fillMiss && !existsSync(join(root, publication, ...edition.split('/'), ...path.split('/'))))
      await fillMiss(publication, edition, path).catch((err) =>
        request.log.warn({ err }, 'edition not fetched'),
      );
  };
  // Encapsulated: the sendFile decorator is ours alone (bull-board registers its own).
  return async (server) => {
    await server.register(async (app) => {
      await app.register(fastifyStatic, {
        root,
        serve: false,
        index: false,
        dotfiles: 'deny',
        maxAge: MAX_AGE_MS,
        acceptRanges: true,
        etag: true,
        lastModified: true,
        setHeaders: (reply, path) => {
          if (extname(path).toLowerCase() === '.pdf') {
            // SEGMENT allows only [\w.-], so the name needs no escaping inside the quotes.
            reply.header('content-disposition', `inline; filename="${basename(path)}"`);
          }
        },
      });
      app.get<{ Params: { publication: string } }>('/:publication/', async (request, reply) => {
        const { publication } = request.params;
        if (!SLUG.test(publication)) return reply.callNotFound();
        return pages ? pages.archive(publication, reply) : reply.callNotFound();
      });
      app.get<{ Params: { publication: string; issue: string } }>(
        '/:publication/:issue',
        async (request, reply) => {
          const { publication, issue } = request.params;
          if (!SLUG.test(publication) || !(ISSUE.test(issue) || LANGUAGE.test(issue)))
            return reply.callNotFound();
          // Relative links in the web edition need the trailing slash.
          return reply.redirect(`/${publication}/${issue}/`, 301);
        },
      );
      app.get<{ Params: { publication: string; issue: string; '*': string } }>(
        '/:publication/:issue/*',
        async (request, reply) => {
          const { publication, issue } = request.params;
          if (SLUG.test(publication) && LANGUAGE.test(issue)) {
            // A translation: /<publication>/<language>/<NNN>/<file>, or its archive and feeds.
            const [code = '', ...rest] = request.params['*'].split('/');
            if (!ISSUE.test(code) || !rest.length)
              return pages?.language
                ? pages.language(publication, issue, request.params['*'], reply)
                : reply.callNotFound();
            const path = rest.join('/') || 'index.html';
            const segments = path.split('/');
            const type = contentTypeOf(extname(path));
            if (
              !segments.every((s) => SEGMENT.test(s)) ||
              !type ||
              (segments.length === 1 && UNSERVED_FILES.has(path))
            )
              return reply.callNotFound();
            await fillIfMissing(request, publication, `${issue}/${code}`, path);
            const page =
              pages && path === 'index.html' && (await pages.issue(publication, code, reply, issue));
            if (page) return page;
            return reply.type(type).sendFile(join(publication, issue, code, ...segments));
          }
          const path = request.params['*'] || 'index.html';
          const segments = path.split('/');
          if (!SLUG.test(publication) || !ISSUE.test(issue) || !segments.every((s) => SEGMENT.test(s))) {
            return reply.callNotFound();
          }
          const type = contentTypeOf(extname(path));
          if (!type || (segments.length === 1 && UNSERVED_FILES.has(path))) return reply.callNotFound();
          await fillIfMissing(request, publication, issue, path);
          const page = pages && path === 'index.html' && (await pages.issue(publication, issue, reply));
          if (page) return page;
          return reply.type(type).sendFile(join(publication, issue, ...segments));
        },
      );
    });
  };
}
