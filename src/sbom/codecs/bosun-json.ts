import type { Sbom } from '../model.js';
import { creationTime, toolVersion, writeJson, type SbomWriter, type WriteOptions } from './common.js';

/**
 * The version of the `bosun-json` document shape: bumped when a field is removed, renamed or
 * changes meaning (adding optional fields does not bump it). Documented in docs/sbom.md.
 */
export const bosunJsonSchemaVersion = 1;

/** bosun's own model as JSON: `{ schemaVersion, tool, created, source, os, packages, relationships, problems }`. */
export function toBosunJson(sbom: Sbom, opts?: WriteOptions): Record<string, unknown> {
  return {
    schemaVersion: bosunJsonSchemaVersion,
    tool: { name: 'bosun', version: toolVersion(opts) },
    created: creationTime(opts),
    source: sbom.source,
    ...(sbom.os ? { os: sbom.os } : {}),
    packages: sbom.packages,
    relationships: sbom.relationships,
    problems: sbom.problems,
  };
}

/** `bosun-json@1`: writes the model itself, nothing lost or renamed. */
export const bosunJson: SbomWriter = {
  format: `bosun-json@${bosunJsonSchemaVersion}`,
  encode: toBosunJson,
  write: (sbom, out, opts) => writeJson(toBosunJson(sbom, opts), out),
};
