import { Transform, type TransformCallback } from 'node:stream';
import { formatBytes } from './format.js';

/** The terminal a progress bar draws on. */
export interface ProgressTerminal {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

/**
 * A single-line progress bar for downloads, drawn on a TTY only: never in CI (`CI` set), with
 * `--quiet`, or when stderr is a pipe or file, so logs stay clean.
 */
export class Progress {
  private total = 0;
  private done = 0;
  private blobs = 0;
  private finishedBlobs = 0;
  private lastDraw = 0;
  private readonly expected = new Set<string>();
  private readonly unit: string;
  readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly term: ProgressTerminal,
    opts: { quiet?: boolean; env?: NodeJS.ProcessEnv; unit?: string } = {},
  ) {
    const env = opts.env ?? process.env;
    this.unit = opts.unit ?? 'blobs';
    this.enabled = Boolean(term.isTTY) && !opts.quiet && !env.CI;
  }

  /**
   * Counts blobs known before they are opened (an image's config and layers once its manifest is
   * read), so the total is right from the start instead of growing blob by blob.
   */
  expect(blobs: ReadonlyArray<{ digest: string; size: number }>): void {
    for (const b of blobs) {
      if (this.expected.has(b.digest)) continue;
      this.expected.add(b.digest);
      this.total += b.size;
      this.blobs++;
    }
  }

  /** Wraps a blob stream of `size` bytes so its bytes count towards the bar; an expected `digest` is already counted. */
  track(size: number, digest?: string): Transform {
    if (digest === undefined || !this.expected.has(digest)) {
      this.total += size;
      this.blobs++;
    }
    return new Transform({
      transform: (chunk: Buffer, _e, cb: TransformCallback) => {
        this.done += chunk.length;
        this.draw(false);
        cb(null, chunk);
      },
      flush: (cb) => {
        this.finishedBlobs++;
        this.draw(true);
        cb();
      },
    });
  }

  /** Clears the bar's line. */
  finish(): void {
    if (this.enabled && this.lastDraw > 0) this.term.write('\r\x1b[2K');
  }

  /** The bar's text, for a terminal `width` columns wide. */
  render(width: number): string {
    const pct = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const tail = ` ${Math.floor(pct * 100)}% ${formatBytes(this.done)}/${formatBytes(this.total)} ${this.finishedBlobs}/${this.blobs} ${this.unit}`;
    const room = Math.max(10, Math.min(40, width - this.label.length - tail.length - 4));
    const filled = Math.round(pct * room);
    return `${this.label} [${'#'.repeat(filled)}${'-'.repeat(room - filled)}]${tail}`;
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = this.term.columns ?? 80;
    this.term.write(`\r\x1b[2K${this.render(width).slice(0, width - 1)}`);
  }
}
