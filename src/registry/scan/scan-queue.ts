import type { FastifyBaseLogger } from 'fastify';

/** One manifest to scan. */
export interface ScanJob {
  repo: string;
  digest: string;
}

export interface ScanQueueOptions {
  /** Jobs waiting (not running); past it new ones are refused. */
  size: number;
  concurrency: number;
  /** Milliseconds one job may run before its signal aborts. */
  timeoutMs: number;
  logger?: FastifyBaseLogger;
}

/**
 * A bounded in-process job queue: `enqueue` never waits; jobs for the same repo and digest
 * already waiting or running are not queued twice. `run` must not throw (it records its own
 * failures); a throw is logged. `close` aborts running jobs and drops waiting ones.
 */
export class ScanQueue {
  private readonly waiting: ScanJob[] = [];
  private readonly keys = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  // Per-job controllers (aborted on close or timeout) rather than AbortSignal.any over a
  // long-lived signal.
  private readonly controllers = new Set<AbortController>();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly run: (job: ScanJob, signal: AbortSignal) => Promise<void>, private readonly opts: ScanQueueOptions) {}

  /** Jobs waiting plus running. */
  get depth(): number {
    return this.waiting.length + this.running.size;
  }

  /** Whether the job is waiting or running. */
  has(job: ScanJob): boolean {
    return this.keys.has(`${job.repo}@${job.digest}`);
  }

  enqueue(job: ScanJob): 'queued' | 'duplicate' | 'full' {
    const key = `${job.repo}@${job.digest}`;
    if (this.keys.has(key)) return 'duplicate';
    if (this.stopped || this.waiting.length >= this.opts.size) return 'full';
    this.keys.add(key);
    this.waiting.push(job);
    this.pump();
    return 'queued';
  }

  /** Resolves once nothing waits or runs (tests, orderly shutdown). */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const ac of this.controllers) ac.abort();
    for (const j of this.waiting.splice(0)) this.keys.delete(`${j.repo}@${j.digest}`);
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.opts.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), this.opts.timeoutMs);
      this.controllers.add(ac);
      const p: Promise<void> = this.run(job, ac.signal)
        .catch((err: unknown) => this.opts.logger?.error({ err, repo: job.repo, digest: job.digest }, 'scan job failed unexpectedly'))
        .finally(() => {
          clearTimeout(timer);
          this.controllers.delete(ac);
          this.running.delete(p);
          this.keys.delete(`${job.repo}@${job.digest}`);
          this.pump();
          if (this.depth === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
      this.running.add(p);
    }
  }
}
