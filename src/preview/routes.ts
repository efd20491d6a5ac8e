// The preview's HTTP side: the page, its script and style, the server-sent events that refresh it,
// and the editions themselves with per-recipient placeholders filled with sample values.

import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { contentTypeOf, isImage } from '../content-types.ts';
import { escapeHtml } from '../render/html.ts';
import { fillPlaceholders, sampleValues } from '../render/replacements.ts';
import type { PreviewBuilder, PreviewState } from './builder.ts';

// Beside the other templates, which are copied wherever the code runs from.
const CLIENT = new URL('../../templates/preview/', import.meta.url);
const PAGE = readFileSync(new URL('index.html', CLIENT), 'utf8');
const ASSETS: Record<string, { type: string; body: string }> = {
  '/preview.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(new URL('preview.js', CLIENT), 'utf8'),
  },
  '/preview.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('preview.css', CLIENT), 'utf8'),
  },
};

/** The page loads only its own files; the editions, in frames, are documents of their own. */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; frame-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'";

/** Keeps SSE connections alive through proxies and lets closed ones be noticed. */
const KEEPALIVE_MS = 15_000;

export function previewRoutes(builder: PreviewBuilder, port: () => number) {
  /** How to end each open event stream. */
  const streams = new Set<() => void>();

  const register = (app: FastifyInstance) => {
    // Only this machine's names: a web page elsewhere cannot reach the preview by DNS rebinding.
    app.addHook('onRequest', async (request, reply) => {
      const host = request.headers.host ?? '';
      const allowed = [`127.0.0.1:${port()}`, `localhost:${port()}`, `[::1]:${port()}`];
      if (!allowed.includes(host.toLowerCase())) {
        return reply.code(421).type('text/plain; charset=utf-8').send(`Open http://127.0.0.1:${port()}/\n`);
      }
      reply.header('cache-control', 'no-store');
    });

    app.get('/', async (_, reply) =>
      reply.type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(PAGE),
    );
    for (const [path, asset] of Object.entries(ASSETS)) {
      app.get(path, async (_, reply) => reply.type(asset.type).send(asset.body));
    }
    app.get('/state.json', async () => builder.state());

    app.get('/events', (_, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      const send = (state: PreviewState) =>
        reply.raw.write(`event: state\ndata: ${JSON.stringify(state)}\n\n`);
      reply.raw.write('retry: 1000\n\n');
      send(builder.state());
      const stop = builder.onChange(send);
      const keepalive = setInterval(() => reply.raw.write(': keepalive\n\n'), KEEPALIVE_MS);
      const end = () => {
        stop();
        clearInterval(keepalive);
        streams.delete(end);
        reply.raw.end();
      };
      streams.add(end);
      reply.raw.on('close', end);
    });

    app.get('/email.html', async (request, reply) => {
      const editions = builder.editions;
      if (!editions) return notYet(reply);
      return reply
        .type('text/html; charset=utf-8')
        .send(fillPlaceholders(editions.html, sampleValues(`http://${request.headers.host}`), 'html'));
    });
    app.get('/email.txt', async (request, reply) => {
      const editions = builder.editions;
      if (!editions) return notYet(reply);
      return reply
        .type('text/plain; charset=utf-8')
        .send(fillPlaceholders(editions.text, sampleValues(`http://${request.headers.host}`), 'text'));
    });
    app.get('/edition.pdf', async (_, reply) => sendPdf(reply));
    app.get('/web', async (_, reply) => reply.redirect('/web/'));
    app.get('/web/', async (_, reply) => {
      const editions = builder.editions;
      if (!editions) return notYet(reply);
      return reply.type('text/html; charset=utf-8').send(editions.web);
    });
    app.get<{ Params: { '*': string } }>('/web/*', async (request, reply) => {
      const editions = builder.editions;
      if (!editions) return notYet(reply);
      const path = request.params['*'];
      if (path === editions.pdfName) return sendPdf(reply);
      // Only the images the issue uses, looked up by the path the editions write: nothing else on disk.
      const file = editions.images.get(path);
      const type = isImage(extname(path)) ? contentTypeOf(extname(path)) : undefined;
      const info = file ? await stat(file).catch(() => undefined) : undefined;
      if (!file || !type || !info?.isFile()) return reply.callNotFound();
      return reply.type(type).header('content-length', info.size).send(createReadStream(file));
    });
    app.get('/unsubscribe', async (_, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><meta charset="utf-8"><title>Unsubscribe (sample)</title><p>In the sent email, this link opens the reader’s own unsubscribe page.</p>',
        ),
    );

    function sendPdf(reply: FastifyReply) {
      const pdf = builder.pdfFile;
      if (!pdf) return notYet(reply, 'The PDF edition is being made; this frame reloads when it is ready.');
      return reply.type('application/pdf').send(pdf);
    }
  };

  return {
    register,
    /** Ends the event streams, so that the server can close. */
    endStreams() {
      for (const end of streams) end();
    },
  };
}

/** The per-recipient values of a sample reader; edition links point back at this server. */
function notYet(reply: FastifyReply, message = 'No good build yet: the preview page lists the problems.') {
  return reply
    .code(503)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><meta charset="utf-8"><title>Not built yet</title><p>${escapeHtml(message)}</p>`);
}
