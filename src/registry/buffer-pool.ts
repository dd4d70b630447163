/**
 * Equal-size buffers handed out and taken back, so a hot path that moves many large chunks
 * allocates nothing per chunk. Why it matters: every fresh 1 MiB Buffer is external memory to
 * V8, and at ~1 GB/s of blob GETs that churn forced a full mark-compact of the whole heap about
 * every 100 ms (`--trace-gc`: "GC in old space requested"), a large share of the event loop.
 *
 * Contract: a taken buffer holds stale bytes from earlier use, so callers send only what they
 * wrote into it; give a buffer back only once nothing reads or writes it any more. Buffers
 * never given back are simply collected; at most `maxIdle` are kept between uses.
 */
export class BufferPool {
  private readonly idle: Buffer[] = [];

  constructor(
    readonly bufferBytes: number,
    private readonly maxIdle: number,
  ) {}

  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  give(buf: Buffer): void {
    if (buf.length === this.bufferBytes && this.idle.length < this.maxIdle) this.idle.push(buf);
  }

  /** Buffers currently kept for reuse. */
  get idleCount(): number {
    return this.idle.length;
  }
}
