import type { FastifyReply, FastifyRequest } from 'fastify';

export interface ChallengeOptions {
  /** The configured realm; else derived from the request's Host. */
  realm?: string;
  service: string;
  tokenPath: string;
}

// A Host header is echoed into the realm only when it is a plain host[:port]; anything else
// (quotes, spaces, userinfo) could break or redirect the challenge.
const plainHost = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** The token realm URL for a request. */
export function realmOf(request: FastifyRequest, opts: ChallengeOptions): string {
  if (opts.realm) return opts.realm;
  const host = plainHost.test(request.host) ? request.host : 'localhost';
  return `${request.protocol}://${host}${opts.tokenPath}`;
}

/**
 * Answers 401 UNAUTHORIZED with a Bearer challenge naming the realm, service and the scopes
 * the request needs (spec: distribution token.md, "How to authenticate"); `error` is
 * `invalid_token` or `insufficient_scope` (RFC 6750 §3.1) when that is the reason.
 */
export function sendUnauthorized(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: ChallengeOptions & { scopes: readonly string[]; error?: 'invalid_token' | 'insufficient_scope' },
): FastifyReply {
  let header = `Bearer realm="${realmOf(request, opts)}",service="${opts.service}"`;
  if (opts.scopes.length > 0) header += `,scope="${opts.scopes.join(' ')}"`;
  if (opts.error) header += `,error="${opts.error}"`;
  const body = { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] };
  return reply.code(401).header('www-authenticate', header).type('application/json').send(body);
}

/** Answers 403 DENIED: the caller is known but may not do this. */
export function sendDenied(reply: FastifyReply): FastifyReply {
  const body = { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied', detail: null }] };
  return reply.code(403).type('application/json').send(body);
}
