import type { FastifyRequest } from 'fastify';
import type { Action } from './actions.js';
import { actionsOn, type Principal } from './principals.js';
import type { VerifiedToken } from './tokens.js';

/** How the caller of a request authenticated. */
export type AuthMethod = 'basic' | 'bearer' | 'none';

/**
 * The access control verdict on one request's caller, for the routes and for other
 * extensions (immutable tags, rate limits, audit) to read with `requestAccess(request)`.
 */
export interface RequestAccess {
  /** The signed-in account; absent for anonymous callers (no credentials, or an anonymous token). */
  readonly identity?: { name: string; kind: 'user' | 'robot' };
  readonly via: AuthMethod;
  /**
   * True when this request's credentials allow `action` on `repo`. A bearer token allows only
   * what it was issued for; Basic credentials and anonymous callers whatever their grants say.
   */
  may(repo: string, action: Action): boolean;
  /** True when `repo` may be listed in `_catalog` for this caller (they may pull it). */
  mayList(repo: string): boolean;
}

const byRequest = new WeakMap<FastifyRequest, RequestAccess>();

/**
 * The access verdict for `request`, or undefined when access control is off, the route is
 * public (`/token`, `config: { access: 'public' }`: credentials are not read), or the request
 * never reached the access hook. Call it from hooks and routes registered after the access
 * extension.
 */
export function requestAccess(request: FastifyRequest): RequestAccess | undefined {
  return byRequest.get(request);
}

/** Records the verdict for `request` and names its caller in `request.identity`. */
export function setRequestAccess(request: FastifyRequest, access: RequestAccess): void {
  byRequest.set(request, access);
  if (access.identity) request.identity = access.identity;
}

function identityOf(p: Principal): RequestAccess['identity'] {
  return p.name !== undefined && p.kind !== 'anonymous' ? { name: p.name, kind: p.kind } : undefined;
}

/** Access of a caller using Basic credentials, or none (then `principal` is the anonymous one). */
export function principalAccess(principal: Principal, via: 'basic' | 'none'): RequestAccess {
  const identity = identityOf(principal);
  const may = (repo: string, action: Action) => actionsOn(principal.grants, repo).has(action);
  return { ...(identity ? { identity } : {}), via, may, mayList: (repo) => may(repo, 'pull') };
}

/**
 * Access of a caller presenting a verified token. `principal` (the token's subject, resolved
 * only when the request needs it: catalog listings) decides what `_catalog` shows.
 */
export function tokenAccess(token: VerifiedToken, principal?: Principal): RequestAccess {
  const identity = token.subject === '' ? undefined : { name: token.subject, kind: token.subject.startsWith('robot$') ? ('robot' as const) : ('user' as const) };
  const may = (repo: string, action: Action) => token.repositories.get(repo)?.has(action) === true;
  const mayList = (repo: string) => (principal ? actionsOn(principal.grants, repo).has('pull') : may(repo, 'pull'));
  return { ...(identity ? { identity } : {}), via: 'bearer', may, mayList };
}
