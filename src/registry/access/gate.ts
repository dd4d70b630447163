import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, type RegistryEvents } from '../events.js';
import { actionsOn, type Principals } from './principals.js';
import { authenticate, type Authentication } from './credentials.js';
import { sendDenied, sendUnauthorized, type ChallengeOptions } from './challenge.js';
import { requirementOf, type Requirement } from './requirement.js';
import { setRequestAccess, tokenAccess } from './request-access.js';
import { catalogScope, repositoryScope } from './scope.js';
import type { TokenService } from './tokens.js';

export interface GateOptions extends ChallengeOptions {
  principals: Principals;
  tokens: TokenService;
  events: RegistryEvents;
}

type Granted = Extract<Authentication, { ok: true }>;
type RepoNeed = Extract<Requirement, { kind: 'repository' }>;

function challengeScopes(need: RepoNeed): string[] {
  const scopes = [repositoryScope(need.repo, need.challenge)];
  if (need.mountFrom !== undefined && need.mountFrom !== need.repo) scopes.push(repositoryScope(need.mountFrom, ['pull']));
  return scopes;
}

async function checkRepository(request: FastifyRequest, reply: FastifyReply, need: RepoNeed, auth: Granted, opts: GateOptions) {
  if (auth.access.may(need.repo, need.action)) return undefined;
  const scopes = challengeScopes(need);
  // A token short of a scope its subject does hold is sent back for a better one, as
  // distribution does; everyone else is refused.
  if (auth.token && auth.token.subject !== '') {
    const subject = await opts.principals.byName(auth.token.subject);
    if (actionsOn(subject.grants, need.repo).has(need.action)) return sendUnauthorized(request, reply, { ...opts, scopes, error: 'insufficient_scope' });
  }
  opts.events.emit({ type: 'denied', actor: actorOf(request), repo: need.repo, action: need.action, reason: auth.access.identity ? 'not granted' : 'authentication required' });
  return auth.access.identity ? sendDenied(reply) : sendUnauthorized(request, reply, { ...opts, scopes });
}

async function checkCatalog(request: FastifyRequest, reply: FastifyReply, auth: Granted, opts: GateOptions) {
  if (auth.token) {
    if (!auth.token.catalog) return sendUnauthorized(request, reply, { ...opts, scopes: [catalogScope], error: 'insufficient_scope' });
    // The listing follows the subject's grants, not the handful of repositories in the token.
    setRequestAccess(request, tokenAccess(auth.token, await opts.principals.byName(auth.token.subject)));
    return undefined;
  }
  if (auth.access.via === 'none' && opts.principals.anonymous.grants.length === 0) return sendUnauthorized(request, reply, { ...opts, scopes: [catalogScope] });
  return undefined;
}

/**
 * The access hook (fastify onRequest, before any body is read): authenticates the caller,
 * records the verdict (`requestAccess`, `request.identity`), and answers 401 with a Bearer
 * challenge or 403 DENIED when the request needs more than the caller has. Emits `denied`
 * for refusals of repository actions (not for the 401 that starts every token flow).
 */
export function accessGate(opts: GateOptions) {
  return async function gate(request: FastifyRequest, reply: FastifyReply) {
    const need = requirementOf(request, opts.tokenPath);
    if (need.kind === 'open') return undefined;
    const auth = await authenticate(request, opts);
    if (!auth.ok) {
      const scopes = need.kind === 'repository' ? challengeScopes(need) : need.kind === 'catalog' ? [catalogScope] : [];
      return sendUnauthorized(request, reply, { ...opts, scopes, ...(auth.scheme === 'bearer' ? { error: 'invalid_token' as const } : {}) });
    }
    setRequestAccess(request, auth.access);
    switch (need.kind) {
      case 'base':
        return auth.access.via === 'none' ? sendUnauthorized(request, reply, { ...opts, scopes: [] }) : undefined;
      case 'account':
        return auth.access.identity ? undefined : sendUnauthorized(request, reply, { ...opts, scopes: [] });
      case 'catalog':
        return checkCatalog(request, reply, auth, opts);
      case 'repository':
        return checkRepository(request, reply, need, auth, opts);
    }
  };
}
