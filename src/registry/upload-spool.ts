import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat, truncate } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { BosunError } from '../errors.js';

/**
 * The bytes of unfinished upload sessions, one file per session id under a local directory
 * (`<data>/uploads/`, see blob-store/paths.ts). Ids are validated by the caller (names.ts),
 * so a path here can never leave the directory.
 */
export class UploadSpool {
  constructor(private readonly dir: string) {}

  async open(): Promise<this> {
    await mkdir(this.dir, { recursive: true });
    return this;
  }

  private pathOf(id: string): string {
    if (!/^[a-f0-9]{32}$/.test(id)) throw new BosunError('INPUT_INVALID', `invalid upload id "${id.slice(0, 80)}"`);
    return join(this.dir, id);
  }

  /** The bytes the session's file holds, or undefined when this spool has no such file. */
  async size(id: string): Promise<number | undefined> {
    const st = await stat(this.pathOf(id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    return st?.size;
  }

  /** The session's file (which exists once bytes were appended). */
  file(id: string): string {
    return this.pathOf(id);
  }

  /** A stream appending to the session's file, created by the first write; the caller pipes into it. */
  appender(id: string): Writable {
    return createWriteStream(this.pathOf(id), { flags: 'a' });
  }

  /** A fresh stream of the session's bytes. */
  reader(id: string): Readable {
    return createReadStream(this.pathOf(id));
  }

  /** Cuts the session back to `size` bytes (undoing a failed append); a missing file is empty. */
  async truncate(id: string, size: number): Promise<void> {
    await truncate(this.pathOf(id), size).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' || size !== 0) throw err;
    });
  }

  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  /** Session files last modified before `before` (ms since epoch). */
  async olderThan(before: number): Promise<string[]> {
    const out: string[] = [];
    for (const name of await readdir(this.dir)) {
      if (!/^[a-f0-9]{32}$/.test(name)) continue;
      const st = await stat(join(this.dir, name)).catch(() => undefined);
      if (st && st.mtimeMs < before) out.push(name);
    }
    return out;
  }
}
