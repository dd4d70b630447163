import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { BosunError } from '../../errors.js';
import { bosunVersion } from '../../version.js';
import type { Sbom } from '../model.js';

/** Options every SBOM writer takes. */
export interface WriteOptions {
  /** Document creation time; defaults to SOURCE_DATE_EPOCH (seconds) when set, else now. */
  created?: Date;
  /** Tool version written as the creator; defaults to bosun's package version. */
  toolVersion?: string;
}

/** An SBOM encoding: `format` names it as `<name>@<spec version>`. */
export interface SbomWriter {
  readonly format: string;
  /** Writes the document as JSON and ends `out`. Throws IO_FAILED when the stream fails. */
  write(sbom: Sbom, out: Writable, opts?: WriteOptions): Promise<void>;
  /** The document as a plain JSON value (what `write` serialises). */
  encode(sbom: Sbom, opts?: WriteOptions): unknown;
}

/** A writer that also reads its format back into the model (`'spdx-json@2.3'`, `'cyclonedx-json@1.6'`). */
export interface SbomCodec extends SbomWriter {
  /**
   * Reads a document of this format (readers accept older versions too: SPDX 2.2-2.3, CycloneDX
   * 1.4-1.6) and consumes `input`. Throws SBOM_DOCUMENT_INVALID, LIMIT_EXCEEDED or IO_FAILED.
   */
  read(input: Readable): Promise<Sbom>;
}

/** Creation time without milliseconds (SPDX's pattern forbids them), honouring SOURCE_DATE_EPOCH. */
export function creationTime(opts: WriteOptions | undefined): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const date = opts?.created ?? (epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date());
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toolVersion(opts: WriteOptions | undefined): string {
  return opts?.toolVersion ?? bosunVersion;
}

/** sha256 hex over the SBOM's packages and relationships: names documents by content. */
export function contentHash(sbom: Sbom): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([sbom.source, sbom.os ?? null]));
  for (const p of sbom.packages) h.update(`${p.id}\0${p.purl}\0`);
  for (const r of sbom.relationships) h.update(`${r.from}>${r.to}>${r.type}\0`);
  return h.digest('hex');
}

/** Writes pretty JSON (two-space indent, trailing newline) and ends the stream. */
export async function writeJson(value: unknown, out: Writable): Promise<void> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  await new Promise<void>((resolve, reject) => {
    out.once('error', (err) => reject(new BosunError('IO_FAILED', `writing the SBOM failed: ${err.message}`, { cause: err })));
    out.end(text, () => resolve());
  });
}
