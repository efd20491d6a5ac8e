// Published editions, as `publish` stored them under <dataDir>/editions: the web edition at
// /<publication>/<NNN>/ and its files beside it (the PDF, images).

import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { editionsRoot, UNSERVED_FILES } from '../campaigns/publish.ts';
import { type EditionSummary, renderArchive, SUMMARY_FILE } from '../render/web/archive.ts';
import type { RouteRegistrar } from './server.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.css': 'text/css; charset=utf-8',
};

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const ISSUE = /^\d{3,}$/;
/** One path segment of a served file: no "..", no hidden files. */
const SEGMENT = /^[\w][\w.-]*$/;

export function editionRoutes(dataDir: string): RouteRegistrar {
  const root = editionsRoot(dataDir);
  return (app) => {
    app.get<{ Params: { publication: string } }>('/:publication/', async (request, reply) => {
      const { publication } = request.params;
      if (!SLUG.test(publication)) return reply.callNotFound();
      const summaries = await publishedEditions(join(root, publication));
      if (!summaries.length) return reply.callNotFound();
      return reply
        .type(TYPES['.html'] as string)
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
        const type = TYPES[extname(path).toLowerCase()];
        if (!type || (segments.length === 1 && UNSERVED_FILES.has(path))) return reply.callNotFound();
        const file = join(root, publication, issue, ...segments);
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) return reply.callNotFound();
        return reply
          .type(type)
          .header('content-length', info.size)
          .header('cache-control', 'public, max-age=300')
          .send(createReadStream(file));
      },
    );
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
