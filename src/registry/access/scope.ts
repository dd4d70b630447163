import { BosunError } from '../../errors.js';
import { parseName } from '../names.js';
import { scopeSpelling, type Action } from './actions.js';

/** One requested scope: `repository:<name>:<actions>` or `registry:catalog:*`. */
export interface RequestedScope {
  type: 'repository' | 'registry';
  name: string;
  /** As requested, in token-scope spelling (unknown actions dropped later). */
  actions: string[];
}

/** Most scopes one token request may carry. */
export const maxScopes = 32;

function parseOne(text: string): RequestedScope | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last === first) throw new BosunError('REGISTRY_AUTH_SCOPE_INVALID', `malformed scope "${text.slice(0, 300)}": want type:name:actions`);
  // docker writes plugin repositories as `repository(plugin)`: the same resource type here.
  const type = text.slice(0, first).replace(/\([a-z0-9]+\)$/, '');
  const name = text.slice(first + 1, last);
  const actions = text.slice(last + 1).split(',').filter((a) => a !== '');
  if (type === 'registry' && name === 'catalog') return { type, name, actions };
  if (type !== 'repository') return undefined;
  try {
    return { type, name: parseName(name), actions };
  } catch {
    // A name no repository can have: nothing to grant on it.
    return undefined;
  }
}

/**
 * Parses the `scope` query parameters of a token request (repeated, and each possibly several
 * space-separated scopes). Scopes of unknown resource types or on impossible names are
 * dropped: nothing can be granted on them. Throws REGISTRY_AUTH_SCOPE_INVALID for a
 * malformed scope or more than `maxScopes`.
 */
export function parseScopes(params: string | string[] | undefined): RequestedScope[] {
  const texts = (Array.isArray(params) ? params : params === undefined ? [] : [params]).flatMap((p) => p.split(' ')).filter((s) => s !== '');
  if (texts.length > maxScopes) throw new BosunError('REGISTRY_AUTH_SCOPE_INVALID', `${texts.length} scopes requested; at most ${maxScopes}`);
  return texts.map(parseOne).filter((s): s is RequestedScope => s !== undefined);
}

/** `repository:<repo>:pull,push` as a challenge writes it. */
export function repositoryScope(repo: string, actions: readonly Action[]): string {
  return `repository:${repo}:${actions.map(scopeSpelling).join(',')}`;
}

export const catalogScope = 'registry:catalog:*';
