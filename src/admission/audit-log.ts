import { open, type FileHandle } from 'node:fs/promises';
import { BosunError } from '../errors.js';

/** One line of the audit log (JSON Lines, append-only). */
export interface AuditEntry {
  readonly time: string;
  readonly uid: string;
  readonly endpoint: string;
  readonly dryRun: boolean;
  readonly user: string;
  readonly operation: string;
  readonly resource: { readonly kind: string; readonly namespace: string; readonly name: string };
  readonly allowed: boolean;
  readonly message?: string;
  readonly images: ReadonlyArray<{ readonly image: string; readonly digest?: string; readonly verified: boolean }>;
  readonly results: ReadonlyArray<{ readonly policy: string; readonly rule: string; readonly status: string; readonly message: string }>;
  readonly exceptions: ReadonlyArray<{ readonly exception: string; readonly ticket: string; readonly policy: string; readonly rule: string }>;
}

/** Appends entries in order; `close` flushes. Opened with O_APPEND, so lines are never rewritten. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  close(): Promise<void>;
}

export async function openAuditLog(file: string): Promise<AuditLog> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'a', 0o600);
  } catch (err) {
    throw new BosunError('IO_FAILED', `audit log ${file} cannot be opened for appending`, { cause: err });
  }
  let tail: Promise<void> = Promise.resolve();
  return {
    append(entry) {
      // Serialised so concurrent requests never interleave partial lines.
      tail = tail.then(() => fh.appendFile(`${JSON.stringify(entry)}\n`));
      return tail;
    },
    async close() {
      await tail.catch(() => undefined);
      await fh.close();
    },
  };
}
