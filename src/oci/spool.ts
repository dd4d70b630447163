import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BosunError } from '../errors.js';
import { decompress, defaultDecompressLimits, sniffCompression, type DecompressLimits } from './decompress.js';
import { pipeThrough } from './pipe-through.js';

/**
 * Where a tar comes from: a file path, or a function that opens a fresh stream of it (stdin
 * for `--input -`, a download). A stream is spooled to a temp file, since reading a tar by
 * member needs random access.
 */
export type TarSource = string | (() => Promise<Readable> | Readable);

export interface SpoolOptions {
  /** Most bytes spooled from a stream, or written when decompressing (default 64 GiB). */
  maxBytes?: number;
  /** Guards for a gzip or zstd compressed archive. */
  decompressLimits?: DecompressLimits;
  /** Parent of the temp directory (default the OS temp dir). */
  tempDir?: string;
  signal?: AbortSignal;
}

/** A plain (uncompressed) tar on disk; `cleanup` removes it when it is a temp copy. */
export interface LocalTar {
  path: string;
  cleanup(): Promise<void>;
}

export const defaultSpoolMaxBytes = 64 * 1024 ** 3;

class ByteCap extends Transform {
  private seen = 0;
  constructor(
    private readonly max: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) cb(new BosunError('LIMIT_EXCEEDED', `${this.what}: larger than the ${this.max}-byte limit`));
    else cb(null, chunk);
  }
}

async function head(path: string, what: string): Promise<Buffer> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(4);
      const { bytesRead } = await fh.read(buf, 0, 4, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new BosunError('IO_FAILED', `${what}: cannot read "${path}"`, { cause: err });
  }
}

/**
 * Makes `source` available as a plain tar file. A plain file is used in place; a gzip or zstd
 * file, or any stream, is decompressed (sniffed, behind bomb guards) into a private temp dir.
 * Throws LIMIT_EXCEEDED, OCI_LAYER_INVALID (corrupt compression), IO_FAILED.
 */
export async function localTar(source: TarSource, what: string, opts: SpoolOptions = {}): Promise<LocalTar> {
  if (typeof source === 'string' && sniffCompression(await head(source, what)) === 'none') {
    return { path: source, cleanup: async () => {} };
  }
  const dir = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'bosun-tar-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'archive.tar');
  const max = opts.maxBytes ?? defaultSpoolMaxBytes;
  const lim = { ...(opts.decompressLimits ?? defaultDecompressLimits) };
  lim.maxBytes = Math.min(lim.maxBytes, max);
  try {
    const input = typeof source === 'string' ? createReadStream(source) : await source();
    const cap = new ByteCap(max, what);
    await pipeline(decompress(pipeThrough(input, cap), what, lim), createWriteStream(path), { signal: opts.signal });
    return { path, cleanup };
  } catch (err) {
    await cleanup();
    if (err instanceof BosunError) throw err;
    if ((err as Error).name === 'AbortError') throw new BosunError('ABORTED', `${what}: cancelled`, { cause: err });
    throw new BosunError('IO_FAILED', `${what}: cannot spool the archive`, { cause: err });
  }
}
