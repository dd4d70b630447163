import type { Package, Relationship } from '../model.js';

/** A locked package as yarn and pnpm lockfiles describe it: a key, and the keys it depends on. */
export interface LockNode {
  key: string;
  name: string;
  version: string;
  deps: string[];
}

/**
 * Marks dev-only packages: those not reachable from the project's production roots. Returns the
 * set of keys reachable from `prodRoots`; a package outside it but reachable from `devRoots` is
 * dev-only. With no roots known (no package.json beside a yarn.lock) the answer is undefined.
 */
export function reachable(nodes: ReadonlyMap<string, LockNode>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const k = stack.pop() as string;
    if (seen.has(k) || !nodes.has(k)) continue;
    seen.add(k);
    stack.push(...(nodes.get(k)?.deps ?? []));
  }
  return seen;
}

/** DEPENDS_ON edges between the packages built from lock nodes (`pkgByKey`). */
export function lockRelationships(nodes: ReadonlyMap<string, LockNode>, pkgByKey: ReadonlyMap<string, Package>): Relationship[] {
  const out: Relationship[] = [];
  for (const [key, n] of nodes) {
    const from = pkgByKey.get(key);
    for (const d of n.deps) {
      const to = pkgByKey.get(d);
      if (from && to && from !== to) out.push({ from: from.id, to: to.id, type: 'depends-on' });
    }
  }
  return out;
}
