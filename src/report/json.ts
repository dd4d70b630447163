import type { Writer } from './writer.js';
import { writeText } from './writer.js';

/** bosun's own JSON report: the `ScanReport` as is (schema in docs/report-json.md, versioned by `schemaVersion`). */
export const jsonWriter: Writer = {
  format: 'json',
  write: (doc, out) => writeText(out, `${JSON.stringify(doc, null, 2)}\n`),
};
