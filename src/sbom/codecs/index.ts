import { Readable } from 'node:stream';
import { BosunError } from '../../errors.js';
import { readAll } from '../../oci/read-all.js';
import { sbomLimits } from '../limits.js';
import type { Sbom } from '../model.js';
import { bosunJson } from './bosun-json.js';
import type { SbomCodec, SbomWriter } from './common.js';
import { cycloneDxJson } from './cyclonedx.js';
import { spdxJson } from './spdx.js';

/** Every SBOM codec, by format name. */
export const sbomCodecs: readonly SbomCodec[] = [spdxJson, cycloneDxJson];

/**
 * The codec for a user-facing format name: `spdx-json`, `cyclonedx-json`, or a full
 * `<name>@<version>` from `sbomCodecs`. Throws SBOM_FORMAT_UNKNOWN.
 */
export function codecFor(format: string): SbomCodec {
  const c = sbomCodecs.find((x) => x.format === format || x.format.split('@')[0] === format);
  if (!c) throw new BosunError('SBOM_FORMAT_UNKNOWN', `unknown SBOM format "${format}" (known: ${sbomCodecs.map((x) => x.format).join(', ')})`);
  return c;
}

/** Every SBOM writer: the codecs plus `bosun-json`, which is written only. */
export const sbomWriters: readonly SbomWriter[] = [...sbomCodecs, bosunJson];

/** The writer for a user-facing format name (`spdx-json`, `cyclonedx-json`, `bosun-json`, or `<name>@<version>`). Throws SBOM_FORMAT_UNKNOWN. */
export function writerFor(format: string): SbomWriter {
  const w = sbomWriters.find((x) => x.format === format || x.format.split('@')[0] === format);
  if (!w) throw new BosunError('SBOM_FORMAT_UNKNOWN', `unknown SBOM format "${format}" (known: ${sbomWriters.map((x) => x.format.split('@')[0]).join(', ')})`);
  return w;
}

/**
 * Reads an SBOM document of either format, telling them apart by their marker fields
 * (`spdxVersion`, `bomFormat`). Throws SBOM_DOCUMENT_INVALID, LIMIT_EXCEEDED, IO_FAILED.
 */
export async function readSbom(input: Readable): Promise<Sbom> {
  const raw = await readAll(input, sbomLimits.documentBytes, 'SBOM document');
  const head = raw.subarray(0, 64 * 1024).toString('utf8');
  const codec = /"spdxVersion"\s*:/.test(head) ? spdxJson : /"bomFormat"\s*:\s*"CycloneDX"/.test(head) ? cycloneDxJson : undefined;
  if (!codec) throw new BosunError('SBOM_DOCUMENT_INVALID', 'SBOM document: neither SPDX JSON (spdxVersion) nor CycloneDX JSON (bomFormat)');
  return codec.read(Readable.from([raw]));
}
