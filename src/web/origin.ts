// Whether a request that changes something comes from one of our own pages (CSRF for the readers'
// forms and the admin).
import type { FastifyRequest } from 'fastify';

/**
 * Whether a state-changing request comes from one of our pages: its Origin (or, from browsers that
 * omit it, its Referer's origin) is the request's own host or PUBLIC_URL's. Neither: refused.
 */
export function sameOrigin(request: FastifyRequest, publicUrl: string | undefined): boolean {
  const origin = request.headers.origin ?? originOf(request.headers.referer);
  if (!origin || origin === 'null') return false;
  const allowed = [`${request.protocol}://${request.host}`];
  const ours = publicUrl && originOf(publicUrl);
  if (ours) allowed.push(ours);
  return allowed.includes(origin);
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
