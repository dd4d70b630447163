import type { FastifyRequest } from 'fastify';
import { queryParam, repoOf } from '../http.js';
import { parseName } from '../names.js';
import type { Action } from './actions.js';

/**
 * What a request needs before its handler may run.
 * - `open`: nothing (the token endpoint, routes marked `config: { access: 'public' }`).
 * - `base`: any caller who presented valid credentials or an anonymous token (`GET /v2/`, and
 *   paths no route serves, so probing learns nothing).
 * - `catalog`: a caller; the listing is filtered to what they may pull.
 * - `repository`: `action` on `repo`; `challenge` is what the 401 asks for (push asks for
 *   pull,push as docker clients do), `mountFrom` the source of a cross-repository mount.
 * - `account`: a signed-in user or robot (other extensions' routes, unless marked public).
 */
export type Requirement =
  | { kind: 'open' }
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'repository'; repo: string; action: Action; challenge: Action[]; mountFrom?: string }
  | { kind: 'account' };

const pull = { action: 'pull', challenge: ['pull'] } as const;
const push = { action: 'push', challenge: ['pull', 'push'] } as const;
const remove = { action: 'delete', challenge: ['delete'] } as const;

function repositoryNeed(route: string, method: string): { action: Action; challenge: readonly Action[] } | undefined {
  const reading = method === 'GET' || method === 'HEAD';
  switch (route) {
    case '/v2/_/manifests/:reference':
      return reading ? pull : method === 'DELETE' ? remove : push;
    case '/v2/_/blobs/:digest':
      return reading ? pull : remove;
    case '/v2/_/tags/list':
    case '/v2/_/referrers/:digest':
      return pull;
    // Every upload-session call (status GET included) acts on push state.
    case '/v2/_/blobs/uploads/':
    case '/v2/_/blobs/uploads/:uuid':
      return push;
    default:
      return undefined;
  }
}

function mountSource(request: FastifyRequest): string | undefined {
  const from = queryParam(request, 'from');
  if (from === undefined || queryParam(request, 'mount') === undefined) return undefined;
  try {
    return parseName(from);
  } catch {
    return undefined;
  }
}

/**
 * Classifies a request by its matched route. A malformed repository name throws
 * REGISTRY_SERVE_NAME_INVALID (a 400 that reveals nothing about what exists).
 */
export function requirementOf(request: FastifyRequest, tokenPath: string): Requirement {
  const route = request.routeOptions.url;
  if (route === undefined) return { kind: 'base' };
  if (route === tokenPath || (request.routeOptions.config as { access?: unknown }).access === 'public') return { kind: 'open' };
  if (route === '/v2/') return { kind: 'base' };
  if (route === '/v2/_catalog') return { kind: 'catalog' };
  const need = repositoryNeed(route, request.method);
  if (!need) return { kind: 'account' };
  const repo = repoOf(request);
  const from = route === '/v2/_/blobs/uploads/' && request.method === 'POST' ? mountSource(request) : undefined;
  return { kind: 'repository', repo, action: need.action, challenge: [...need.challenge], ...(from ? { mountFrom: from } : {}) };
}
