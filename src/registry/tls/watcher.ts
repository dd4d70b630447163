import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { checkTlsPair, readTlsPair, type TlsPair } from './pair.js';

export interface CertificateWatcherOptions {
  certFile: string;
  keyFile: string;
  /** The pair in use now. */
  current: TlsPair;
  /** Puts a checked new pair into service. */
  apply: (pair: TlsPair) => void;
  /** Re-read the files this often even without a change notification (ms). */
  pollMs: number;
  onReload?: () => void;
  /** A changed pair that cannot be used; reported once per distinct bad content. */
  onRejected?: (err: Error) => void;
}

export type CheckResult = 'unchanged' | 'reloaded' | 'rejected';

// Editors, cert-manager and certbot write the two files one after the other: wait for the burst.
const settleMs = 100;

/**
 * Reloads a TLS certificate and key when their files change. Watches the files' directories
 * (a directory watch survives the rename-into-place and symlink swaps that replace a file's
 * inode, as Kubernetes secret volumes do) and polls as a fallback for file systems where
 * fs.watch says nothing (NFS, some containers). A change is applied only when the new files
 * form a valid pair; otherwise the old pair stays in service.
 */
export class CertificateWatcher {
  #current: TlsPair;
  #rejected?: TlsPair;
  #unreadable?: string;
  #watchers: FSWatcher[] = [];
  #poll?: NodeJS.Timeout;
  #settle?: NodeJS.Timeout;
  #running?: Promise<CheckResult>;

  constructor(private readonly opts: CertificateWatcherOptions) {
    this.#current = opts.current;
  }

  start(): void {
    for (const dir of new Set([dirname(this.opts.certFile), dirname(this.opts.keyFile)])) {
      try {
        const w = watch(dir, { persistent: false }, () => this.#soon());
        // A watch that breaks (directory removed) leaves the poll in charge.
        w.on('error', () => w.close());
        this.#watchers.push(w);
      } catch {
        // fs.watch unsupported here: the poll alone notices changes.
      }
    }
    this.#poll = setInterval(() => void this.check(), this.opts.pollMs);
    this.#poll.unref();
  }

  stop(): void {
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
    clearInterval(this.#poll);
    clearTimeout(this.#settle);
  }

  #soon(): void {
    clearTimeout(this.#settle);
    this.#settle = setTimeout(() => void this.check(), settleMs);
    this.#settle.unref();
  }

  /** Re-reads the files now and applies them if they changed and form a valid pair. */
  async check(): Promise<CheckResult> {
    // One check at a time; a change arriving meanwhile is seen by the next event or poll.
    this.#running ??= this.#check().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #check(): Promise<CheckResult> {
    const { certFile, keyFile } = this.opts;
    let pair: TlsPair;
    try {
      pair = await readTlsPair(certFile, keyFile);
    } catch (err) {
      // Mid-rotation a file may be briefly missing; say so once, not on every poll.
      if (!(err instanceof Error)) throw err;
      if (err.message !== this.#unreadable) this.opts.onRejected?.(err);
      this.#unreadable = err.message;
      return 'rejected';
    }
    this.#unreadable = undefined;
    if (same(pair, this.#current)) return 'unchanged';
    if (this.#rejected && same(pair, this.#rejected)) return 'rejected';
    try {
      checkTlsPair(pair, `${certFile} + ${keyFile}`);
      this.opts.apply(pair);
    } catch (err) {
      this.#rejected = pair;
      this.opts.onRejected?.(err as Error);
      return 'rejected';
    }
    this.#current = pair;
    this.#rejected = undefined;
    this.opts.onReload?.();
    return 'reloaded';
  }
}

function same(a: TlsPair, b: TlsPair): boolean {
  return a.cert.equals(b.cert) && a.key.equals(b.key);
}
