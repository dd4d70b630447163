import type { Package, Sbom } from '../model.js';
import { joinExpressions } from '../license.js';
import type { SbomCodec, WriteOptions } from './common.js';
import { readSpdx } from './spdx-read.js';
import { contentHash, creationTime, toolVersion, writeJson } from './common.js';

// spec: SPDX 2.3, https://spdx.github.io/spdx-spec/v2.3/ (JSON schema: spdx-spec schemas/spdx-schema.json)

type Json = Record<string, unknown>;

/** SPDX ids allow letters, digits, `.` and `-` only. */
function idPart(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

function packageSpdxId(p: Package): string {
  return `SPDXRef-Package-${p.type}-${idPart(p.name)}-${p.id}`;
}

function sourceInfo(p: Package): string {
  const where = p.locations.map((l) => (l.layer ? `${l.path} (layer ${l.layer})` : l.path)).join(', ');
  return `acquired package info from ${p.foundBy}: ${where}`;
}

function spdxPackage(p: Package): Json {
  return {
    name: p.name,
    SPDXID: packageSpdxId(p),
    versionInfo: p.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    sourceInfo: sourceInfo(p),
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: p.licenses.length > 0 ? joinExpressions(p.licenses, 'AND') : 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
  };
}

function rootPackage(sbom: Sbom): Json {
  const s = sbom.source;
  return {
    name: s.name,
    SPDXID: `SPDXRef-DocumentRoot-${s.kind}-${idPart(s.name)}`,
    ...(s.digest ? { versionInfo: s.digest } : {}),
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    primaryPackagePurpose: s.kind === 'image' ? 'CONTAINER' : 'SOURCE',
    ...(s.digest?.startsWith('sha256:') ? { checksums: [{ algorithm: 'SHA256', checksumValue: s.digest.slice(7) }] } : {}),
  };
}

function osPackage(sbom: Sbom): Json | undefined {
  if (!sbom.os) return undefined;
  return {
    name: sbom.os.id,
    SPDXID: `SPDXRef-OperatingSystem-${idPart(sbom.os.id)}`,
    ...(sbom.os.versionId ? { versionInfo: sbom.os.versionId } : {}),
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    // no primaryPackagePurpose: the 2.3 schema's enum misspells OPERATING-SYSTEM (fixed in 2.3.1)
    ...(sbom.os.prettyName ? { description: sbom.os.prettyName } : {}),
  };
}

/** One ExtractedLicensingInfo per LicenseRef used (SPDX requires each to be defined). */
function extractedLicenses(pkgs: readonly Package[]): Json[] {
  const refs = new Set(pkgs.flatMap((p) => p.licenses.flatMap((l) => l.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? [])));
  return [...refs].sort().map((id) => ({ licenseId: id, name: id.slice(11), extractedText: id.slice(11) }));
}

function relationships(sbom: Sbom, rootId: string, osId: string | undefined): Json[] {
  const ids = new Map(sbom.packages.map((p) => [p.id, packageSpdxId(p)]));
  const rels: Json[] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: rootId }];
  if (osId) rels.push({ spdxElementId: rootId, relationshipType: 'CONTAINS', relatedSpdxElement: osId });
  for (const r of sbom.relationships) {
    const from = r.from === 'root' ? rootId : ids.get(r.from);
    const to = ids.get(r.to);
    if (from && to) rels.push({ spdxElementId: from, relationshipType: r.type === 'contains' ? 'CONTAINS' : 'DEPENDS_ON', relatedSpdxElement: to });
  }
  return rels;
}

/**
 * Encodes an SBOM as an SPDX 2.3 JSON document. Deterministic: ids and the namespace derive from
 * content, order follows the (sorted) model, and the only clock is `created` (see WriteOptions).
 */
export function toSpdx(sbom: Sbom, opts?: WriteOptions): Json {
  const root = rootPackage(sbom);
  const os = osPackage(sbom);
  const extracted = extractedLicenses(sbom.packages);
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: sbom.source.name,
    documentNamespace: `https://bosun.dev/spdxdocs/${sbom.source.kind}/${idPart(sbom.source.name)}-${contentHash(sbom).slice(0, 32)}`,
    creationInfo: { created: creationTime(opts), creators: [`Tool: bosun-${toolVersion(opts)}`] },
    packages: [root, ...(os ? [os] : []), ...sbom.packages.map(spdxPackage)],
    relationships: relationships(sbom, root.SPDXID as string, os?.SPDXID as string | undefined),
    ...(extracted.length > 0 ? { hasExtractedLicensingInfos: extracted } : {}),
  };
}

/** `spdx-json@2.3`. */
export const spdxJson: SbomCodec = {
  format: 'spdx-json@2.3',
  encode: toSpdx,
  read: readSpdx,
  write: (sbom, out, opts) => writeJson(toSpdx(sbom, opts), out),
};
