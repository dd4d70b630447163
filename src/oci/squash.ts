import { BosunError } from '../errors.js';
import { ContentStore, type ContentLimits } from './content-store.js';
import type { Digest } from './digest.js';
import { globMatcher, SquashedTree, type TreeProblem } from './file-tree.js';
import { applyEntry, type ApplyContext } from './layer-apply.js';
import { walkTar } from './tar-walk.js';
import { TreeIndex } from './tree-index.js';
import type { Image } from './types.js';

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
}

/**
 * Reads every layer of `image` once, base first, as a stream, and returns the squashed tree of
 * the files whose image-root-relative path matches `globs` (picomatch; `**\/*.jar`,
 * `var/lib/dpkg/status`), with whiteouts, opaque directories, hard links and symlinks applied.
 * The caller closes the tree (`close()` or `await using`) to delete spilled content.
 *
 * Throws (after cleaning up) OCI_LAYER_INVALID for a malformed or truncated layer,
 * OCI_DIGEST_MISMATCH / OCI_SIZE_MISMATCH from verification, LIMIT_EXCEEDED past the entry or
 * node caps or a decompression guard, ABORTED on `signal`. Hostile single entries do not throw:
 * they are skipped and listed in `tree.problems`.
 */
export async function squash(image: Image, globs: readonly string[], opts: SquashOptions = {}): Promise<SquashedTree> {
  const lim: SquashLimits = { ...defaultSquashLimits, ...opts.limits };
  const layers = await image.layers();
  const index = new TreeIndex(lim.maxNodes);
  const store = new ContentStore(lim, opts.tmpDir);
  const log = problemLog(lim.maxProblems);
  const isMatch = globMatcher(globs);
  const diffIds: Digest[] = [];
  let entries = 0;
  try {
    for (const [i, layer] of layers.entries()) {
      const diffId = await layer.diffId();
      diffIds.push(diffId);
      const what = `layer ${i} (${diffId})`;
      const ctx: ApplyContext = { index, store, isMatch, layer: i, problem: (code, path, message) => log.add({ code, path, layer: diffId, message }) };
      const onEntry: Parameters<typeof walkTar>[2] = (header, body) => {
        if (++entries > lim.maxEntries) throw new BosunError('LIMIT_EXCEEDED', `${what}: image has more than ${lim.maxEntries} tar entries`);
        return applyEntry(ctx, header, body);
      };
      await walkTar(await layer.uncompressed(), what, onEntry, opts.signal);
    }
  } catch (err) {
    await store.close();
    throw err;
  }
  return new SquashedTree({ index, store, diffIds, problems: log.problems, problemsDropped: log.dropped(), entries });
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
