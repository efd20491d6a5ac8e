// Published editions, as `publish` stored them under <dataDir>/editions: the web edition at
// /<publication>/<NNN>/ and its files beside it (the PDF, images). Files go out through
// @fastify/static (send): ETag and Last-Modified with 304 on revalidation, Range requests (206,
// 416), Cache-Control; PDFs also name their file in Content-Disposition.

import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { editionsRoot, UNSERVED_FILES } from '../campaigns/publish.ts';
import { type EditionSummary, renderArchive, SUMMARY_FILE } from '../render/web/archive.ts';
import { contentTypeOf } from './content-types.ts';
import type { RouteRegistrar } from './server.ts';

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const ISSUE = /^\d{3,}$/;
/** Browsers revalidate after this (ETag, Last-Modified); a republished file shows within 5 minutes. */
const MAX_AGE_MS = 300_000;

/** One path segment of a served file: no "..", no hidden files. */
const SEGMENT = /^[\w][\w.-]*$/;

/** The pages among the files: by default the bare archive and the stored web edition; the public
 *  site (src/site) brings its own, with navigation, and keeps these routes for the files. An issue
 *  page it has nothing for (undefined) is the stored web edition. */
export interface EditionPages {
  archive(publication: string, reply: FastifyReply): Promise<unknown>;
  issue(publication: string, issue: string, reply: FastifyReply): Promise<FastifyReply | undefined>;
}

export function editionRoutes(dataDir: string, pages?: EditionPages): RouteRegistrar {
  const root = editionsRoot(dataDir);
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
        if (pages) return pages.archive(publication, reply);
        const summaries = await publishedEditions(join(root, publication));
        if (!summaries.length) return reply.callNotFound();
        return reply
          .type(contentTypeOf('.html') as string)
          .header('cache-control', 'public, max-age=300')
          .send(renderArchive(summaries));
      });
      app.get<{ Params: { publication: string; issue: string } }>(
        '/:publication/:issue',
        async (request, reply) => {
          const { publication, issue } = request.params;
          if (!SLUG.test(publication) || !ISSUE.test(issue)) return reply.callNotFound();
          // Relative links in the web edition need the trailing slash.
          return reply.redirect(`/${publication}/${issue}/`, 301);
        },
      );
      app.get<{ Params: { publication: string; issue: string; '*': string } }>(
        '/:publication/:issue/*',
        async (request, reply) => {
          const { publication, issue } = request.params;
          const path = request.params['*'] || 'index.html';
          const segments = path.split('/');
          if (!SLUG.test(publication) || !ISSUE.test(issue) || !segments.every((s) => SEGMENT.test(s))) {
            return reply.callNotFound();
          }
          const type = contentTypeOf(extname(path));
          if (!type || (segments.length === 1 && UNSERVED_FILES.has(path))) return reply.callNotFound();
          const page = pages && path === 'index.html' && (await pages.issue(publication, issue, reply));
          if (page) return page;
          return reply.type(type).sendFile(join(publication, issue, ...segments));
        },
      );
    });
  };
}

/** The summaries of the issues published under one publication's folder. */
async function publishedEditions(folder: string): Promise<EditionSummary[]> {
  const issues = await readdir(folder).catch(() => []);
  const summaries = await Promise.all(
    issues
      .filter((issue) => ISSUE.test(issue))
      .map((issue) =>
        readFile(join(folder, issue, SUMMARY_FILE), 'utf8')
          .then((json) => JSON.parse(json) as EditionSummary)
          .catch(() => undefined),
      ),
  );
  return summaries.filter((s): s is EditionSummary => s !== undefined);
}
