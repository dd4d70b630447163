import { constants, type Stats } from 'node:fs';
import { lstat, open, opendir, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BosunError } from '../errors.js';
import { globMatcher, type ClosableFileTree, type TreeProblem } from './file-tree.js';
import { lookupParts, maxSymlinkHops, toImagePath } from './paths.js';
import type { FileEntry, FileKind } from './types.js';

/** Bounds on walking a root filesystem directory. */
export interface RootfsOptions {
  /** Most directory entries visited (LIMIT_EXCEEDED past it). */
  maxEntries?: number;
  /** Deepest directory nesting walked (LIMIT_EXCEEDED past it). */
  maxDepth?: number;
  signal?: AbortSignal;
}

export const defaultRootfsLimits = { maxEntries: 2_000_000, maxDepth: 256 } as const;

interface Found {
  parts: string[];
  st: Stats;
}

function kindOf(st: Stats): FileKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

const swapped = (path: string) => new BosunError('OCI_PATH_UNSAFE', `"${path}" changed while being opened; refusing to follow it`);

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR', 'ELOOP'].includes((err as NodeJS.ErrnoException).code ?? '');

/**
 * A `FileTree` over a plain root filesystem directory (an unpacked image, `bosun fs`). The
 * directory is walked once, without following symlinks, to list the regular files matching the
 * globs; content is read from disk on `open`. Every lookup resolves symlinks in userspace,
 * component by component, relative to the root (`..` and absolute targets clamp at it), so no
 * path leads outside; `open` re-checks with O_NOFOLLOW, fstat and realpath to refuse a file
 * swapped for a symlink in between (OCI_PATH_UNSAFE).
 */
export class RootfsTree implements ClosableFileTree {
  readonly problems: TreeProblem[] = [];
  readonly problemsDropped = 0;

  private matched: string[] = [];
  private readonly prefix: string;

  private constructor(private readonly root: string) {
    this.prefix = root.endsWith('/') ? root : root + '/';
  }

  /**
   * Walks `dir` and returns its tree. Throws OCI_SOURCE_INVALID when `dir` is not a directory,
   * LIMIT_EXCEEDED past the limits, ABORTED on `signal`.
   */
  static async open(dir: string, globs: readonly string[], opts: RootfsOptions = {}): Promise<RootfsTree> {
    let root: string;
    try {
      root = await realpath(dir);
      if (!(await lstat(root)).isDirectory()) throw new Error('not a directory');
    } catch (err) {
      throw new BosunError('OCI_SOURCE_INVALID', `rootfs "${dir}" is not a readable directory`, { cause: err });
    }
    const tree = new RootfsTree(root);
    tree.matched = (await tree.walk(globMatcher(globs), opts)).sort();
    return tree;
  }

  async *glob(patterns: readonly string[]): AsyncIterable<FileEntry> {
    const isMatch = globMatcher(patterns);
    for (const rel of this.matched) {
      if (!isMatch(rel)) continue;
      const e = await this.lstat(rel);
      if (e?.kind === 'file') yield e;
    }
  }

  async stat(path: string): Promise<FileEntry | undefined> {
    const f = await this.resolveOrUndefined(path, true);
    return f && this.entryOf(f);
  }

  async lstat(path: string): Promise<FileEntry | undefined> {
    const f = await this.resolveOrUndefined(path, false);
    return f && this.entryOf(f);
  }

  async open(entry: FileEntry): Promise<Readable> {
    const f = await this.resolveOrUndefined(entry.path, true);
    if (!f?.st.isFile()) throw new BosunError('OCI_FILE_NOT_CAPTURED', `"${entry.path}": not a regular file in the rootfs`);
    const abs = join(this.root, ...f.parts);
    const fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: unknown) => {
      // ELOOP: O_NOFOLLOW met a symlink that was a regular file when resolved.
      if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw swapped(entry.path);
      throw new BosunError('IO_FAILED', `cannot open "${entry.path}" in the rootfs`, { cause: err });
    });
    const [now, real] = await Promise.all([fh.stat(), realpath(abs).catch(() => '')]);
    if (now.ino !== f.st.ino || now.dev !== f.st.dev || !real.startsWith(this.prefix)) {
      await fh.close();
      throw swapped(entry.path);
    }
    return fh.createReadStream();
  }

  async close(): Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {}

  /**
   * Resolves `path` under the root: symlinks followed (the last one only when `followLast`),
   * `..` clamped at the root. Throws OCI_SYMLINK_LOOP after 40 symlinks.
   */
  async resolve(path: string, followLast: boolean): Promise<Found | undefined> {
    const pending = lookupParts(path).reverse();
    const parts: string[] = [];
    let st = await lstat(this.root);
    let hops = 0;
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name === '.' || name === '') continue;
      if (name === '..') {
        parts.pop();
        st = await lstat(join(this.root, ...parts));
        continue;
      }
      const abs = join(this.root, ...parts, name);
      try {
        st = await lstat(abs);
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw new BosunError('IO_FAILED', `cannot stat "${toImagePath([...parts, name])}" in the rootfs`, { cause: err });
      }
      if (st.isSymbolicLink() && (pending.length > 0 || followLast)) {
        if (++hops > maxSymlinkHops) throw new BosunError('OCI_SYMLINK_LOOP', `"${path}": more than ${maxSymlinkHops} symlinks`);
        const target = await readlink(abs);
        if (target === '') return undefined;
        if (target.startsWith('/')) parts.length = 0;
        pending.push(...target.split('/').reverse());
        continue;
      }
      if (pending.length > 0 && !st.isDirectory()) return undefined;
      parts.push(name);
    }
    return { parts, st };
  }

  private async resolveOrUndefined(path: string, followLast: boolean): Promise<Found | undefined> {
    try {
      return await this.resolve(path, followLast);
    } catch (err) {
      if (err instanceof BosunError && err.code === 'OCI_SYMLINK_LOOP') return undefined;
      throw err;
    }
  }

  private async entryOf(f: Found): Promise<FileEntry> {
    const e: FileEntry = { path: toImagePath(f.parts), kind: kindOf(f.st), size: f.st.size, mode: f.st.mode & 0o7777 };
    if (e.kind === 'symlink') e.linkTarget = await readlink(join(this.root, ...f.parts));
    return e;
  }

  private async walk(isMatch: (rel: string) => boolean, opts: RootfsOptions): Promise<string[]> {
    const maxEntries = opts.maxEntries ?? defaultRootfsLimits.maxEntries;
    const maxDepth = opts.maxDepth ?? defaultRootfsLimits.maxDepth;
    const matched: string[] = [];
    const dirs: Array<{ rel: string; depth: number }> = [{ rel: '', depth: 0 }];
    let seen = 0;
    while (dirs.length > 0) {
      const { rel, depth } = dirs.pop()!;
      if (opts.signal?.aborted) throw new BosunError('ABORTED', `rootfs "${this.root}": walk aborted`, { cause: opts.signal.reason });
      if (depth > maxDepth) throw new BosunError('LIMIT_EXCEEDED', `rootfs "${this.root}": directories nest deeper than ${maxDepth}`);
      let handle;
      try {
        handle = await opendir(join(this.root, rel));
      } catch (err) {
        this.problems.push({ code: 'IO_FAILED', path: toImagePath(lookupParts(rel)), message: `cannot read directory: ${(err as Error).message}` });
        continue;
      }
      for await (const d of handle) {
        if (++seen > maxEntries) throw new BosunError('LIMIT_EXCEEDED', `rootfs "${this.root}": more than ${maxEntries} entries`);
        const child = rel ? `${rel}/${d.name}` : d.name;
        if (d.isDirectory()) dirs.push({ rel: child, depth: depth + 1 });
        else if (d.isFile() && isMatch(child)) matched.push(child);
      }
    }
    return matched;
  }
}

/** Opens a root filesystem directory as a `FileTree`; see `RootfsTree`. */
export function rootfsTree(dir: string, globs: readonly string[], opts?: RootfsOptions): Promise<RootfsTree> {
  return RootfsTree.open(dir, globs, opts);
}
