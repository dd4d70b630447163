import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { BosunError } from '../errors.js';

/** Called once per tar entry; must consume `body` (read it or `resume()` it) before resolving. */
export type EntryHandler = (header: Header, body: Readable) => Promise<void>;

/**
 * Parses the tar stream `input` entry by entry, awaiting `onEntry` for each (one entry at a
 * time, so backpressure reaches the source). Resolves when the archive ends; rejects with
 * OCI_LAYER_INVALID for a malformed or truncated archive, passes BosunErrors from `input` or
 * `onEntry` through, and always destroys `input` when done.
 */
export async function walkTar(input: Readable, what: string, onEntry: EntryHandler, signal?: AbortSignal): Promise<void> {
  const ex = extract();
  input.on('error', (err) => ex.destroy(err));
  input.pipe(ex as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of ex) {
      if (signal?.aborted) throw new BosunError('ABORTED', `${what}: aborted`, { cause: signal.reason });
      const body = entry as unknown as Readable;
      await onEntry(entry.header, body);
      body.resume(); // an unread body would stall the archive; resuming an ended one is a no-op
    }
  } catch (err) {
    if (err instanceof BosunError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new BosunError('OCI_LAYER_INVALID', `${what}: not a readable tar stream: ${msg}`, { cause: err });
  } finally {
    if (!input.destroyed) input.destroy();
    ex.destroy();
  }
}
