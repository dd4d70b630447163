import type { ScanReport } from '../vuln/scan/report.js';
import type { Writer } from './writer.js';
import { writeText } from './writer.js';

/** The predicate type of cosign's vulnerability attestation (`cosign attest --type vuln`). */
export const COSIGN_VULN_PREDICATE_TYPE = 'https://cosign.sigstore.dev/attestation/vuln/v1';

/**
 * The predicate of a cosign vulnerability attestation: invocation, scanner {uri, version, db {uri,
 * version}, result} and metadata {scanStartedOn, scanFinishedOn}. `result` carries bosun's JSON
 * report. spec: sigstore/cosign specs/COSIGN_VULN_ATTESTATION_SPEC.md; its prose shows a
 * `scanners` array, but cosign's own type (pkg/cosign/attestation) and every producer use a single
 * `scanner` object, which is what verifiers parse, so that is what is written.
 */
export function toCosignVuln(doc: ScanReport): Record<string, unknown> {
  const { db } = doc.metadata;
  return {
    invocation: { parameters: [], uri: '', event_id: '', 'builder.id': '' },
    scanner: {
      uri: doc.metadata.scanner.uri,
      version: doc.metadata.scanner.version,
      db: { uri: db.location ?? db.kind, version: db.updatedAt ?? '' },
      result: doc,
    },
    metadata: { scanStartedOn: doc.metadata.startedAt, scanFinishedOn: doc.metadata.finishedAt },
  };
}

export const cosignVulnWriter: Writer = {
  format: 'cosign-vuln',
  write: (doc, out) => writeText(out, `${JSON.stringify(toCosignVuln(doc), null, 2)}\n`),
};
