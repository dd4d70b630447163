/** A recurring lifecycle job (gc, retention). */
export interface ScheduledJob {
  name: string;
  everyMs: number;
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Runs each job every `everyMs` (first run one period after `start`), never two jobs at once
 * and never a job overlapping itself: the next run is timed from the end of the previous one.
 * Failures go to `onError` and the schedule goes on. Timers do not keep the process alive.
 */
export class LifecycleScheduler {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #abort = new AbortController();
  #running: Promise<void> = Promise.resolve();

  constructor(
    private readonly jobs: readonly ScheduledJob[],
    private readonly onError: (err: unknown, job: string) => void,
  ) {}

  start(): void {
    for (const job of this.jobs) this.schedule(job);
  }

  private schedule(job: ScheduledJob): void {
    if (this.#abort.signal.aborted) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#running = this.#running
        .then(() => (this.#abort.signal.aborted ? undefined : job.run(this.#abort.signal)))
        .catch((err: unknown) => {
          if (!this.#abort.signal.aborted) this.onError(err, job.name);
        })
        .finally(() => this.schedule(job));
    }, job.everyMs);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Cancels future runs, aborts the current one and waits for it to stop. */
  async stop(): Promise<void> {
    this.#abort.abort();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.#running;
  }
}
