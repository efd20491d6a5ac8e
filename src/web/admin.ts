// The queue dashboard (bull-board) under /admin/queues, behind HTTP basic auth with the admin
// password (any user name). Without BULLETIN_ADMIN_PASSWORD there is no admin path at all.

import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { type ConnectionOptions, Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteRegistrar } from './server.ts';

export const ADMIN_QUEUES_PATH = '/admin/queues';

export function adminRoutes(options: {
  password?: string;
  connection: ConnectionOptions;
  /** The BullMQ queues to show, by name. */
  queueNames: string[];
}): RouteRegistrar {
  return async (app) => {
    const { password } = options;
    if (!password) return;
    const queues = options.queueNames.map((name) => {
      const queue = new Queue(name, { connection: options.connection });
      queue.on('error', () => {}); // a Redis outage shows as failed dashboard requests, not a crash
      return queue;
    });
    app.addHook('onClose', async () => {
      await Promise.all(queues.map((q) => q.close()));
    });
    const board = new FastifyAdapter();
    board.setBasePath(ADMIN_QUEUES_PATH);
    createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: board });
    // Encapsulated: the auth hook covers the dashboard's routes and nothing else.
    await app.register(async (admin) => {
      admin.addHook('onRequest', async (request, reply) => {
        if (!authorised(request, password)) await challenge(reply);
      });
      await admin.register(board.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
    });
  };
}

function authorised(request: FastifyRequest, password: string): boolean {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const given = Buffer.from(decoded.slice(decoded.indexOf(':') + 1));
  const expected = Buffer.from(password);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function challenge(reply: FastifyReply) {
  return reply
    .code(401)
    .header('WWW-Authenticate', 'Basic realm="bulletin admin", charset="UTF-8"')
    .send('Unauthorized\n');
}
