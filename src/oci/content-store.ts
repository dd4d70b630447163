import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BosunError, type ErrorCode } from '../errors.js';

/**
 * Where a captured file's bytes are: memory, a spill file, a byte range of an open file (a
 * layer cache record, held open so a concurrent replace or delete cannot change it), or nowhere
 * (and why).
 */
export type Content =
  | { state: 'memory'; data: Buffer }
  | { state: 'spilled'; file: string; size: number }
  | { state: 'range'; handle: FileHandle; start: number; size: number }
  | { state: 'missing'; code: ErrorCode; reason: string };

/** Caps on captured content. Sizes are bytes. */
export interface ContentLimits {
  /** Files up to this size are kept in memory (while `memoryTotalBytes` allows). */
  memoryFileBytes: number;
  /** Most bytes held in memory at once; later files spill to disk. */
  memoryTotalBytes: number;
  /** A larger file is not captured; opening it fails with LIMIT_EXCEEDED. */
  maxFileBytes: number;
  /** Most bytes captured in total (memory and disk, including files later replaced). */
  maxTotalBytes: number;
}

async function* readRange(handle: FileHandle, start: number, size: number): AsyncGenerator<Buffer> {
  const end = start + size;
  for (let pos = start; pos < end; ) {
    const buf = Buffer.allocUnsafe(Math.min(256 * 1024, end - pos));
    const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) throw new BosunError('IO_FAILED', `cached content ends ${end - pos} bytes early`);
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/**
 * Holds captured file contents: small ones in memory, the rest in a private temp directory
 * (created on first spill, mode 0700, files named by a counter and never by an image path).
 * `close()` deletes the directory; opening content afterwards fails.
 */
export class ContentStore {
  private dir: string | undefined;
  private seq = 0;
  private memoryUsed = 0;
  private totalUsed = 0;
  private isClosed = false;
  private readonly handles: FileHandle[] = [];

  constructor(
    private readonly lim: ContentLimits,
    private readonly tmpRoot: string = tmpdir(),
  ) {}

  /** The largest file captured (`ContentLimits.maxFileBytes`). */
  get maxFileBytes(): number {
    return this.lim.maxFileBytes;
  }

  /**
   * Captures `size` bytes from `entry`, consuming it fully. A file over a cap is drained and
   * recorded as missing with LIMIT_EXCEEDED instead of failing the whole read.
   */
  async capture(entry: Readable, size: number, what: string): Promise<Content> {
    if (size > this.lim.maxFileBytes || this.totalUsed + size > this.lim.maxTotalBytes) {
      for await (const _ of entry); // drain: the archive goes on past this file
      const cap = size > this.lim.maxFileBytes ? `the ${this.lim.maxFileBytes}-byte file cap` : `the ${this.lim.maxTotalBytes}-byte total cap`;
      return { state: 'missing', code: 'LIMIT_EXCEEDED', reason: `${what}: ${size} bytes is over ${cap}; not captured` };
    }
    this.totalUsed += size;
    if (size <= this.lim.memoryFileBytes && this.memoryUsed + size <= this.lim.memoryTotalBytes) {
      this.memoryUsed += size;
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      return { state: 'memory', data: Buffer.concat(chunks) };
    }
    const file = join(await this.spillDir(), String(this.seq++));
    // A plain loop rather than pipeline(): tar-stream's entries are streamx streams, whose
    // errors node's pipeline does not always see.
    const fh = await open(file, 'wx', 0o600);
    try {
      for await (const c of entry) await fh.write(c as Buffer);
    } finally {
      await fh.close();
    }
    return { state: 'spilled', file, size };
  }

  /**
   * Takes ownership of `handle` (closed by `close()`), whose bytes stay valid for the tree's life.
   * Throws IO_FAILED after `close()`.
   */
  keep(handle: FileHandle): void {
    if (this.isClosed) throw new BosunError('IO_FAILED', 'file tree is closed');
    this.handles.push(handle);
  }

  /**
   * Content already on disk at `start` of a kept handle's file, counted against the total cap
   * like a capture (missing with LIMIT_EXCEEDED past it).
   */
  adoptRange(handle: FileHandle, start: number, size: number, what: string): Content {
    if (size > this.lim.maxFileBytes || this.totalUsed + size > this.lim.maxTotalBytes) {
      return { state: 'missing', code: 'LIMIT_EXCEEDED', reason: `${what}: ${size} bytes is over the capture caps; not captured` };
    }
    this.totalUsed += size;
    return { state: 'range', handle, start, size };
  }

  /** A fresh stream of captured content; throws the recorded code for missing content. */
  open(content: Content): Readable {
    if (this.isClosed) throw new BosunError('IO_FAILED', 'file tree is closed');
    switch (content.state) {
      case 'memory':
        return Readable.from([content.data]);
      case 'spilled':
        return createReadStream(content.file);
      case 'range':
        // Positional reads on the shared handle: fs streams over a borrowed fd close it on destroy.
        return Readable.from(readRange(content.handle, content.start, content.size));
      case 'missing':
        throw new BosunError(content.code, content.reason);
    }
  }

  /** Deletes spilled content. Idempotent. */
  async close(): Promise<void> {
    this.isClosed = true;
    await Promise.all(this.handles.splice(0).map((h) => h.close().catch(() => undefined)));
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async spillDir(): Promise<string> {
    if (this.isClosed) throw new BosunError('IO_FAILED', 'file tree is closed');
    try {
      this.dir ??= await mkdtemp(join(this.tmpRoot, 'bosun-squash-'));
    } catch (err) {
      throw new BosunError('IO_FAILED', `cannot create a temp directory in "${this.tmpRoot}"`, { cause: err });
    }
    return this.dir;
  }
}
