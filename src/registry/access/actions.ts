import { BosunError } from '../../errors.js';

/**
 * What an account may do in a repository. `admin` implies every action and `push` implies
 * `pull`; `delete` implies nothing else (a cleanup robot need not read content).
 */
export type Action = 'pull' | 'push' | 'delete' | 'admin';

/** Every action, in the order they are listed and stored. */
export const allActions: readonly Action[] = ['pull', 'push', 'delete', 'admin'];

const implied: Record<Action, readonly Action[]> = {
  pull: ['pull'],
  push: ['push', 'pull'],
  delete: ['delete'],
  admin: allActions,
};

/** The actions `granted` amount to once implications are applied. */
export function expandActions(granted: Iterable<Action>): Set<Action> {
  const out = new Set<Action>();
  for (const a of granted) for (const i of implied[a]) out.add(i);
  return out;
}

function isAction(s: string): s is Action {
  return (allActions as readonly string[]).includes(s);
}

/**
 * Parses a comma-separated action list (`pull,push`), deduplicated in canonical order; `*`
 * is accepted as `admin` (the token-scope spelling). Throws REGISTRY_AUTH_GRANT_INVALID.
 */
export function parseActions(text: string): Action[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new BosunError('REGISTRY_AUTH_GRANT_INVALID', 'no action given: want pull, push, delete or admin');
  const seen = new Set<Action>();
  for (const p of parts) {
    const a = p === '*' ? 'admin' : p;
    if (!isAction(a)) throw new BosunError('REGISTRY_AUTH_GRANT_INVALID', `unknown action "${p.slice(0, 40)}": want pull, push, delete or admin`);
    seen.add(a);
  }
  return allActions.filter((a) => seen.has(a));
}

/** A token-scope action (`pull`, `push`, `delete`, `*`) as an Action, or undefined when unknown. */
export function scopeAction(s: string): Action | undefined {
  if (s === '*') return 'admin';
  return s === 'pull' || s === 'push' || s === 'delete' ? s : undefined;
}

/** An Action in token-scope spelling (`admin` is `*`, as distribution writes it). */
export function scopeSpelling(a: Action): string {
  return a === 'admin' ? '*' : a;
}
