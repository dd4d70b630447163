import type { Readable } from 'node:stream';
import picomatch from 'picomatch';
import { BosunError, isBosunError, type ErrorCode } from '../errors.js';
import type { ContentStore } from './content-store.js';
import type { Digest } from './digest.js';
import { globPath, lookupParts, toImagePath } from './paths.js';
import type { Resolved, TreeIndex } from './tree-index.js';
import type { FileEntry, FileTree } from './types.js';

/** An entry the reader skipped or could not capture; the scan goes on without it. */
export interface TreeProblem {
  code: ErrorCode;
  /** Image path as far as it could be made out. */
  path: string;
  /** diffID of the layer holding the entry. */
  layer?: Digest;
  message: string;
}

/** Compiles image-root-relative globs (a leading `/` is ignored; dotfiles match). */
export function globMatcher(globs: readonly string[]): (relPath: string) => boolean {
  if (globs.length === 0) return () => false;
  return picomatch(globs.map(globPath), { dot: true });
}

/** A `FileTree` that also owns temp files and reports what it skipped. */
export interface ClosableFileTree extends FileTree, AsyncDisposable {
  /** Entries skipped or degraded while reading (capped; see `problemsDropped`). */
  readonly problems: readonly TreeProblem[];
  readonly problemsDropped: number;
  /** Like `stat` but does not follow a final symlink. */
  lstat(path: string): Promise<FileEntry | undefined>;
  /** Releases temp files; `open` fails afterwards. Idempotent. */
  close(): Promise<void>;
}

/** What `squash` hands over to the tree it built. */
export interface SquashedTreeParts {
  index: TreeIndex;
  store: ContentStore;
  diffIds: readonly Digest[];
  problems: readonly TreeProblem[];
  problemsDropped: number;
  entries: number;
  /** Layers replayed from the layer cache rather than read (default 0). */
  cachedLayers?: number;
}

/**
 * The squashed view of an image built by `squash`. Entries come from the registered globs only;
 * `glob` yields files and hard links in byte order of path; `stat` follows symlinks (never above
 * the root) and returns the entry at its real path; `open` of a file whose content was not
 * captured throws that file's code (LIMIT_EXCEEDED when over a cap, OCI_FILE_NOT_CAPTURED
 * otherwise).
 */
export class SquashedTree implements ClosableFileTree {
  readonly problems: readonly TreeProblem[];
  readonly problemsDropped: number;
  /** Tar entries read across all layers, and paths the tree tracks (its memory footprint). */
  readonly stats: { entries: number; trackedPaths: number };
  /** Layers replayed from the layer cache rather than read from their stream. */
  readonly cachedLayers: number;
  private readonly index: TreeIndex;
  private readonly store: ContentStore;
  private readonly diffIds: readonly Digest[];

  constructor(parts: SquashedTreeParts) {
    ({ index: this.index, store: this.store, diffIds: this.diffIds, problems: this.problems, problemsDropped: this.problemsDropped } = parts);
    this.stats = { entries: parts.entries, trackedPaths: parts.index.size };
    this.cachedLayers = parts.cachedLayers ?? 0;
  }

  async *glob(patterns: readonly string[]): AsyncIterable<FileEntry> {
    const isMatch = globMatcher(patterns);
    for (const r of this.index.walk()) {
      if (r.node.content && isMatch(r.parts.join('/'))) yield this.entryOf(r);
    }
  }

  async stat(path: string): Promise<FileEntry | undefined> {
    return this.lookup(path, true);
  }

  async lstat(path: string): Promise<FileEntry | undefined> {
    return this.lookup(path, false);
  }

  async open(entry: FileEntry): Promise<Readable> {
    const r = this.index.resolve(lookupParts(entry.path), true);
    if (!r?.node.content) {
      throw new BosunError('OCI_FILE_NOT_CAPTURED', `"${entry.path}": no captured content (it matches no registered glob)`);
    }
    return this.store.open(r.node.content);
  }

  close(): Promise<void> {
    return this.store.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private lookup(path: string, follow: boolean): FileEntry | undefined {
    try {
      const r = this.index.resolve(lookupParts(path), follow);
      return r && this.entryOf(r);
    } catch (err) {
      if (isBosunError(err, 'OCI_SYMLINK_LOOP')) return undefined;
      throw err;
    }
  }

  private entryOf(r: Resolved): FileEntry {
    const n = r.node;
    const e: FileEntry = { path: toImagePath(r.parts), kind: n.kind, size: n.size, mode: n.mode };
    if (n.linkTarget !== undefined) e.linkTarget = n.linkTarget;
    const layer = this.diffIds[n.layer];
    if (layer) e.layer = layer;
    return e;
  }
}
