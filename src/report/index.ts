import { BosunError } from '../errors.js';
import { cosignVulnWriter } from './cosign-vuln.js';
import { cycloneDxWriter } from './cyclonedx.js';
import { jsonWriter } from './json.js';
import { sarifWriter } from './sarif.js';
import { tableWriter } from './table.js';
import type { Writer } from './writer.js';

/** Every report writer, by `--format` name. */
export const writers: readonly Writer[] = [tableWriter, jsonWriter, sarifWriter, cycloneDxWriter, cosignVulnWriter];

/** The writer for a `--format` value. Throws `REPORT_FORMAT_UNKNOWN`. */
export function writerFor(format: string): Writer {
  const w = writers.find((x) => x.format === format);
  if (!w) throw new BosunError('REPORT_FORMAT_UNKNOWN', `unknown report format "${format}": use ${writers.map((x) => x.format).join(', ')}`);
  return w;
}

export type { Writer } from './writer.js';
export { writeText } from './writer.js';
export { COSIGN_VULN_PREDICATE_TYPE, cosignVulnWriter, toCosignVuln } from './cosign-vuln.js';
export { cycloneDxWriter, toCycloneDxVex } from './cyclonedx.js';
export { jsonWriter } from './json.js';
export { sarifWriter, toSarif } from './sarif.js';
export { renderReportTable, tableWriter } from './table.js';
