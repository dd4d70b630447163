import { BosunError } from '../errors.js';
import { ContentStore, type ContentLimits } from './content-store.js';
import type { Digest } from './digest.js';
import { globMatcher, SquashedTree, type TreeProblem } from './file-tree.js';
import type { ApplyContext } from './layer-apply.js';
import { LayerCache } from './layer-cache.js';
import { readLayer, replayLayer } from './squash-layer.js';
import { TreeIndex } from './tree-index.js';
import type { Image, Layer } from './types.js';

/** Bounds on one squash. Sizes are bytes. */
export interface SquashLimits extends ContentLimits {
  /** Most tar entries read across all layers (LIMIT_EXCEEDED past it). */
  maxEntries: number;
  /** Most paths tracked at once: directories, symlinks and captured files (LIMIT_EXCEEDED). */
  maxNodes: number;
  /** Problems kept in `tree.problems`; the rest are only counted. */
  maxProblems: number;
}

export const defaultSquashLimits: SquashLimits = {
  maxEntries: 2_000_000,
  maxNodes: 500_000,
  maxProblems: 1000,
  memoryFileBytes: 1024 * 1024,
  memoryTotalBytes: 64 * 1024 * 1024,
  maxFileBytes: 512 * 1024 * 1024,
  maxTotalBytes: 4 * 1024 ** 3,
};

export interface SquashOptions {
  /** Parent of the private spill directory (default: the OS temp dir). */
  tmpDir?: string;
  limits?: Partial<SquashLimits>;
  signal?: AbortSignal;
  /**
   * Per-layer results by diffID (see `LayerCache`): layers with a record are replayed from it
   * without opening their stream; the others are read and recorded. Only use with images whose
   * diffIDs are verified (`fromCore`'s default), or a lying config could poison the cache.
   */
  layerCache?: LayerCache;
}

/**
 * Reads every layer of `image` once, base first, as a stream, and returns the squashed tree of
 * the files whose image-root-relative path matches `globs` (picomatch; `**\/*.jar`,
 * `var/lib/dpkg/status`), with whiteouts, opaque directories, hard links and symlinks applied.
 * With `layerCache`, a layer recorded by an earlier squash with the same globs is replayed from
 * its record instead (same tree, no stream). The caller closes the tree (`close()` or
 * `await using`) to delete spilled content and release cache records.
 *
 * Throws (after cleaning up) OCI_LAYER_INVALID for a malformed or truncated layer,
 * OCI_DIGEST_MISMATCH / OCI_SIZE_MISMATCH from verification, LIMIT_EXCEEDED past the entry or
 * node caps or a decompression guard, ABORTED on `signal`. Hostile single entries do not throw:
 * they are skipped and listed in `tree.problems`.
 */
export async function squash(image: Image, globs: readonly string[], opts: SquashOptions = {}): Promise<SquashedTree> {
  const lim: SquashLimits = { ...defaultSquashLimits, ...opts.limits };
  const layers = await image.layers();
  const diffIds = await Promise.all(layers.map((l) => l.diffId()));
  const run: SquashRun = { layers, diffIds, globs, lim, opts, key: LayerCache.keyOf(globs, lim.maxFileBytes), streamed: new Set() };
  // Each retry streams one more layer, so this ends after at most layers.length + 1 passes.
  for (;;) {
    const pass = await squashPass(run);
    if (pass.tree) return pass.tree;
    run.streamed.add(pass.incompleteLayer);
  }
}

interface SquashRun {
  layers: readonly Layer[];
  diffIds: readonly Digest[];
  globs: readonly string[];
  lim: SquashLimits;
  opts: SquashOptions;
  key: string;
  /** Layers to read from their stream even when cached. */
  streamed: Set<number>;
}

type PassResult = { tree: SquashedTree; incompleteLayer?: undefined } | { tree?: undefined; incompleteLayer: number };

async function squashPass(run: SquashRun): Promise<PassResult> {
  const { lim, opts, diffIds } = run;
  const index = new TreeIndex(lim.maxNodes);
  const store = new ContentStore(lim, opts.tmpDir);
  const log = problemLog(lim.maxProblems);
  const isMatch = globMatcher(run.globs);
  const cache = opts.layerCache;
  let entries = 0;
  let cachedLayers = 0;
  try {
    for (const [i, layer] of run.layers.entries()) {
      const diffId = diffIds[i]!;
      const what = `layer ${i} (${diffId})`;
      const ctx: ApplyContext = { index, isMatch, layer: i, problem: (code, path, message) => log.add({ code, path, layer: diffId, message }) };
      const count = () => {
        if (++entries > lim.maxEntries) throw new BosunError('LIMIT_EXCEEDED', `${what}: image has more than ${lim.maxEntries} tar entries`);
      };
      const pass = { store, count, what, ...(opts.signal ? { signal: opts.signal } : {}) };
      const cached = cache && !run.streamed.has(i) ? await cache.get(diffId, run.key) : undefined;
      if (cached) {
        store.keep(cached.handle);
        if (!(await replayLayer(ctx, cached, pass))) {
          await store.close();
          return { incompleteLayer: i };
        }
        cachedLayers++;
        continue;
      }
      const rec = await readLayer(ctx, layer, pass, cache && { diffId, key: run.key, entries: [], captured: [] });
      if (rec) await cache!.put(rec, store);
    }
  } catch (err) {
    await store.close();
    throw err;
  }
  const tree = new SquashedTree({ index, store, diffIds, problems: log.problems, problemsDropped: log.dropped(), entries, cachedLayers });
  return { tree };
}

function problemLog(max: number): { problems: TreeProblem[]; add(p: TreeProblem): void; dropped(): number } {
  const problems: TreeProblem[] = [];
  let dropped = 0;
  return {
    problems,
    add: (p) => (problems.length < max ? problems.push(p) : dropped++),
    dropped: () => dropped,
  };
}
