import type { Digest } from '../../oci/digest.js';

/** One manifest of a repository as the mark phase sees it. */
export interface ManifestNode {
  digest: Digest;
  subject?: Digest;
  tagged: boolean;
  /** Push time, ms since epoch (0 when unknown: treated as old). */
  pushedAt: number;
  /** Config, layers and child manifests; undefined when they could not be read. */
  refs: readonly Digest[] | undefined;
}

export interface MarkOptions {
  /** Manifests pushed at or after this time are roots whatever else holds. */
  cutoff: number;
  /** When false, every manifest without a `subject` is a root (distribution's default). */
  deleteUntagged: boolean;
}

export interface MarkResult {
  /** Manifests to keep. */
  live: Set<Digest>;
  /** Every digest a kept manifest is or references: the links and content to keep. */
  marked: Set<Digest>;
  /** A kept manifest's references are unknown: no link of the repository may be swept. */
  linksPinned: boolean;
}

function isRoot(n: ManifestNode, opts: MarkOptions): boolean {
  if (n.tagged || n.pushedAt >= opts.cutoff) return true;
  return !opts.deleteUntagged && n.subject === undefined;
}

/**
 * The mark phase for one repository. Roots are tagged manifests, manifests pushed since
 * `cutoff` (a referrer may arrive before its subject, an index's children before the index),
 * and, unless `deleteUntagged`, every manifest that is not a referrer. From a live manifest,
 * its child manifests and its referrers (manifests whose `subject` it is) are live too, so
 * signatures, SBOMs and attestations live exactly as long as their subject.
 */
export function markRepository(nodes: readonly ManifestNode[], opts: MarkOptions): MarkResult {
  const byDigest = new Map(nodes.map((n) => [n.digest, n]));
  const bySubject = new Map<Digest, ManifestNode[]>();
  for (const n of nodes) {
    if (n.subject === undefined) continue;
    const list = bySubject.get(n.subject) ?? [];
    list.push(n);
    bySubject.set(n.subject, list);
  }
  const live = new Set<Digest>();
  const marked = new Set<Digest>();
  let linksPinned = false;
  const queue = nodes.filter((n) => isRoot(n, opts));
  for (const n of queue) live.add(n.digest);
  while (queue.length > 0) {
    const n = queue.pop()!;
    marked.add(n.digest);
    if (n.refs === undefined) linksPinned = true;
    const next = [...(n.refs ?? []).map((r) => byDigest.get(r) ?? r), ...(bySubject.get(n.digest) ?? [])];
    for (const item of next) {
      if (typeof item === 'string') {
        marked.add(item);
      } else if (!live.has(item.digest)) {
        live.add(item.digest);
        queue.push(item);
      }
    }
  }
  return { live, marked, linksPinned };
}
