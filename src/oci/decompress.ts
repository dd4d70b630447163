import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { BosunError } from '../errors.js';
import type { LayerCompression } from './media-types.js';

/** Guards against decompression bombs. */
export interface DecompressLimits {
  /** Most uncompressed bytes one layer may expand to. */
  maxBytes: number;
  /** Most uncompressed/compressed ratio, checked once output passes `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const defaultDecompressLimits: DecompressLimits = {
  maxBytes: 16 * 1024 ** 3,
  // gzip tops out near 1032:1; real tar layers stay far below 100:1.
  maxRatio: 1000,
  ratioFloorBytes: 64 * 1024 * 1024,
};

/** Sniffs the compression from the first bytes (media types in docker-archives lie). */
export function sniffCompression(head: Uint8Array): LayerCompression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

class ZstdStream extends Transform {
  private readonly z: ZstdDecompress;
  constructor() {
    super();
    this.z = new ZstdDecompress((chunk) => {
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    try {
      this.z.push(chunk);
      cb();
    } catch (err) {
      cb(new BosunError('OCI_LAYER_INVALID', `zstd: ${(err as Error).message}`, { cause: err }));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.z.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(new BosunError('OCI_LAYER_INVALID', `zstd: truncated or corrupt stream`, { cause: err }));
    }
  }
}

/** Counts compressed input so the output guard can compute a ratio. */
class Counter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

class BombGuard extends Transform {
  private out = 0;
  constructor(
    private readonly input: Counter,
    private readonly lim: DecompressLimits,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.out += chunk.length;
    if (this.out > this.lim.maxBytes) {
      cb(new BosunError('LIMIT_EXCEEDED', `${this.what}: expands past ${this.lim.maxBytes} bytes`));
      return;
    }
    if (this.out > this.lim.ratioFloorBytes && this.out > this.lim.maxRatio * Math.max(1, this.input.bytes)) {
      cb(new BosunError('LIMIT_EXCEEDED', `${this.what}: decompression ratio over ${this.lim.maxRatio}:1 (a decompression bomb?)`));
      return;
    }
    cb(null, chunk);
  }
}

function inflater(kind: LayerCompression): Transform | undefined {
  if (kind === 'gzip') return createGunzip({ chunkSize: 256 * 1024 });
  if (kind === 'zstd') return new ZstdStream();
  return undefined;
}

// Resolves with the first chunk (pushed back, so nothing is lost), or empty at end of stream.
function peek(s: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error, head?: Buffer) => {
      s.off('readable', onReadable).off('error', done).off('end', onEnd).off('close', onClose);
      if (err) reject(err);
      else resolve(head ?? Buffer.alloc(0));
    };
    const onReadable = () => {
      const c = s.read() as Buffer | null;
      if (c === null && !s.readableEnded) return;
      if (c !== null) s.unshift(c);
      done(undefined, c ?? undefined);
    };
    const onEnd = () => done();
    const onClose = () => done(new Error('stream closed before any data'));
    s.on('readable', onReadable).on('error', done).on('end', onEnd).on('close', onClose);
  });
}

function asLayerError(err: unknown, what: string): BosunError {
  if (err instanceof BosunError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new BosunError('OCI_LAYER_INVALID', `${what}: ${msg}`, { cause: err });
}

/**
 * Decompresses `input` (gzip, zstd or plain, sniffed from its first bytes) behind bomb guards.
 * The returned stream fails with OCI_LAYER_INVALID for corrupt or truncated input and with
 * LIMIT_EXCEEDED past the limits; BosunErrors from `input` (digest checks) pass through.
 * Destroying the returned stream destroys `input`.
 */
export function decompress(input: Readable, what: string, lim: DecompressLimits = defaultDecompressLimits): Readable {
  const counter = new Counter();
  const guard = new BombGuard(counter, lim, what);
  const fail = (err: unknown) => {
    guard.destroy(asLayerError(err, what));
    input.destroy();
  };
  input.on('error', fail);
  peek(input).then((head) => {
    const inf = inflater(sniffCompression(head));
    const stages: Readable[] = inf ? [input, counter, inf] : [input, counter];
    // Plain pipes plus explicit handlers: every stage's error reaches the consumer mapped to a
    // code, and a consumer that stops early tears the whole chain down.
    for (const st of stages.slice(1)) st.on('error', fail);
    guard.on('close', () => stages.forEach((st) => st.destroyed || st.destroy()));
    let tail: Readable = input;
    for (const st of stages.slice(1)) tail = tail.pipe(st as Transform);
    tail.pipe(guard);
  }, fail);
  return guard;
}
