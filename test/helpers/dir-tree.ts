// A FileTree over a directory on disk, for cataloger tests only. The production rootfs tree and the
// squashed image tree live in src/oci; this one is deliberately simple: read-only, symlinks are
// resolved with realpath and refused when they leave the root.
import { createReadStream } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import picomatch from 'picomatch';
import type { Digest } from '../../src/oci/digest.js';
import type { FileEntry, FileKind, FileTree } from '../../src/oci/types.js';

export interface DirTreeOptions {
  /** Pretend every file came from this layer (to test that locations carry it). */
  layer?: Digest;
}

function kindOf(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileKind {
  return s.isSymbolicLink() ? 'symlink' : s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
}

export function dirTree(root: string, opts: DirTreeOptions = {}): FileTree {
  const absRoot = path.resolve(root);
  const entryOf = async (rel: string, follow: boolean): Promise<FileEntry | undefined> => {
    const host = path.join(absRoot, rel);
    let target = host;
    if (follow) {
      target = await realpath(host).catch(() => '');
      const realRoot = await realpath(absRoot);
      if (!target || (target !== realRoot && !target.startsWith(realRoot + path.sep))) return undefined;
    }
    const s = await (follow ? stat(target) : lstat(target)).catch(() => undefined);
    if (!s) return undefined;
    return { path: '/' + rel.split(path.sep).join('/'), kind: kindOf(s), size: s.size, mode: s.mode & 0o7777, ...(opts.layer ? { layer: opts.layer } : {}) };
  };
  async function* walk(rel: string): AsyncGenerator<string> {
    const dirents = await readdir(path.join(absRoot, rel), { withFileTypes: true });
    for (const d of dirents.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? `${rel}/${d.name}` : d.name;
      yield child;
      if (d.isDirectory()) yield* walk(child);
    }
  }
  return {
    async *glob(patterns) {
      const match = picomatch([...patterns], { dot: true });
      for await (const rel of walk('')) {
        if (!match('/' + rel)) continue;
        const e = await entryOf(rel, false);
        if (e) yield e;
      }
    },
    async stat(p) {
      return entryOf(path.posix.normalize(p).replace(/^\/+/, ''), true);
    },
    async open(entry): Promise<Readable> {
      const resolved = await this.stat(entry.path);
      if (!resolved || resolved.kind !== 'file') throw new Error(`dir-tree: ${entry.path} is not a regular file`);
      return createReadStream(await realpath(path.join(absRoot, entry.path)));
    },
  };
}
