import type { Writable } from 'node:stream';
import { BosunError } from '../errors.js';
import type { ScanReport } from '../vuln/scan/report.js';

/**
 * Renders a scan report. Implementers:
 * - write the whole document to `out` and resolve once it is flushed; never end `out` (the caller
 *   owns it: stdout, or a temp file renamed into place);
 * - render from the report alone (no I/O, no clock), so equal reports give equal bytes;
 * - reject with `IO_FAILED` when `out` fails.
 */
export interface Writer {
  readonly format: string;
  write(doc: ScanReport, out: Writable): Promise<void>;
}

/** Writes text to a stream without ending it; resolves when it is flushed. */
export function writeText(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(text, (err) => (err ? reject(new BosunError('IO_FAILED', `writing the report failed: ${err.message}`, { cause: err })) : resolve()));
  });
}
