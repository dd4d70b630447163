import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BosunError } from '../../errors.js';
import { actorOf, type RegistryEvents } from '../events.js';
import { scopeAction, scopeSpelling } from './actions.js';
import { login } from './credentials.js';
import { actionsOn, type Principal, type Principals } from './principals.js';
import { parseScopes, type RequestedScope } from './scope.js';
import type { AccessEntry, TokenService } from './tokens.js';

export interface TokenRouteOptions {
  path: string;
  service: string;
  principals: Principals;
  tokens: TokenService;
  events: RegistryEvents;
}

/**
 * The subset of `requested` that `principal` holds, as distribution's token server grants
 * it: each scope keeps only the actions allowed (`*` only for admin); `registry:catalog:*` is
 * granted to every caller because the listing is filtered per caller anyway.
 */
export function grantScopes(principal: Principal, requested: readonly RequestedScope[]): { granted: AccessEntry[]; refused: Array<{ repo: string; action: string }> } {
  const granted: AccessEntry[] = [];
  const refused: Array<{ repo: string; action: string }> = [];
  for (const scope of requested) {
    if (scope.type === 'registry') {
      if (scope.actions.includes('*')) granted.push({ type: 'registry', name: 'catalog', actions: ['*'] });
      continue;
    }
    const held = actionsOn(principal.grants, scope.name);
    const actions: string[] = [];
    for (const raw of scope.actions) {
      const action = scopeAction(raw);
      if (action === undefined) continue;
      if (held.has(action)) actions.push(scopeSpelling(action));
      else refused.push({ repo: scope.name, action });
    }
    granted.push({ type: 'repository', name: scope.name, actions: [...new Set(actions)] });
  }
  return { granted, refused };
}

async function callerOf(request: FastifyRequest, opts: TokenRouteOptions): Promise<Principal> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') return opts.principals.anonymous;
  const m = /^basic +(\S{1,4096})$/i.exec(header);
  const principal = m ? await login(request, m[1]!, opts) : undefined;
  if (!principal) throw new BosunError('REGISTRY_AUTH_UNAUTHORIZED', 'token request: wrong username or password');
  return principal;
}

/**
 * `GET <path>?service=&scope=…`: the token endpoint (spec: distribution token.md). Basic
 * credentials or none (an anonymous token); `account`, `client_id` and `offline_token` are
 * accepted and ignored (no refresh tokens are issued). Answers `{ token, access_token,
 * expires_in, issued_at }`; 401 UNAUTHORIZED on wrong credentials, 400 on a foreign service
 * or malformed scope. Emits `denied` for each requested action not granted.
 */
export async function tokenRoute(app: FastifyInstance, opts: TokenRouteOptions): Promise<void> {
  app.get(opts.path, async (request, reply) => {
    const query = request.query as Record<string, string | string[] | undefined>;
    const service = Array.isArray(query.service) ? query.service[0] : query.service;
    if (service !== undefined && service !== opts.service) {
      throw new BosunError('REGISTRY_AUTH_SCOPE_INVALID', `token request for service "${service.slice(0, 100)}"; this registry is "${opts.service}"`);
    }
    const requested = parseScopes(query.scope);
    const principal = await callerOf(request, opts);
    const { granted, refused } = grantScopes(principal, requested);
    request.identity = principal.name !== undefined && principal.kind !== 'anonymous' ? { name: principal.name, kind: principal.kind } : undefined;
    for (const r of refused) opts.events.emit({ type: 'denied', actor: actorOf(request), repo: r.repo, action: r.action, reason: 'not granted' });
    const issued = opts.tokens.issue(principal.name ?? '', granted);
    reply.header('cache-control', 'no-store').type('application/json');
    return { token: issued.token, access_token: issued.token, expires_in: issued.expiresIn, issued_at: issued.issuedAt.toISOString() };
  });
}
