import type { FastifyRequest } from 'fastify';
import type { RegistryExtension } from '../app.js';
import { actorOf } from '../events.js';
import { TokenBuckets, type BucketLimits } from './token-buckets.js';

export interface RateLimitOptions {
  /** Budget of GET and HEAD requests per client. */
  read: BucketLimits;
  /** Budget of every other method (pushes, uploads, deletes) per client. */
  write: BucketLimits;
  /** Clients tracked at most, per bucket kind (>= 2); beyond it the least recently seen are forgotten. */
  maxClients: number;
  /** Milliseconds, monotonic; tests pass a fake clock. */
  now?: () => number;
}

// The version check is what clients probe first (and what auth challenges hang off): never limited.
function isExempt(request: FastifyRequest): boolean {
  return request.url === '/v2/' || request.url === '/v2';
}

/** The client a budget belongs to: the authenticated name, else the peer address. */
function clientOf(request: FastifyRequest): string {
  return request.identity ? `user:${request.identity.name}` : `ip:${request.ip}`;
}

/**
 * Per-client rate limiting as a registry extension: one token bucket per client and kind
 * (read, write). Over budget the request is answered 429 with the spec's `TOOMANYREQUESTS`
 * body and `Retry-After` (whole seconds) before any route work; a `denied` event is emitted
 * when a client goes over budget, not for every refused request of a flood. Its onRequest hook runs after those of earlier extensions, so an auth extension
 * listed first has already set `request.identity`.
 */
export function rateLimit(opts: RateLimitOptions): RegistryExtension {
  const reads = new TokenBuckets(opts.read, opts.maxClients, opts.now);
  const writes = new TokenBuckets(opts.write, opts.maxClients, opts.now);
  return (app, ctx) => {
    app.addHook('onRequest', async (request, reply) => {
      if (isExempt(request)) return;
      const isRead = request.method === 'GET' || request.method === 'HEAD';
      const taken = (isRead ? reads : writes).take(clientOf(request));
      if (taken.ok) return;
      const kind = isRead ? 'read' : 'write';
      const message = `too many ${kind} requests; retry after ${taken.retryAfterSeconds} s`;
      if (taken.first) ctx.events.emit({ type: 'denied', actor: actorOf(request), action: kind, reason: 'rate limited' });
      return reply
        .code(429)
        .header('retry-after', String(taken.retryAfterSeconds))
        .type('application/json')
        .send({ errors: [{ code: 'TOOMANYREQUESTS', message, detail: null }] });
    });
  };
}
