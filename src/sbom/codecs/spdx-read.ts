import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Digest } from '../../oci/digest.js';
import { isDigest } from '../../oci/digest.js';
import { comparePackages } from '../catalog.js';
import { splitConjunction, toSpdxExpression } from '../license.js';
import type { Location, OsRelease, Package, Problem, Relationship, Sbom } from '../model.js';
import { checkCount, isProblem, osFromPurls, packageFromDocument, readDocument, withContains } from './read-common.js';

// spec: SPDX 2.2 / 2.3 JSON. Only what bosun's model holds is read; unknown fields are ignored.

const spdxPackage = z.object({
  SPDXID: z.string(),
  name: z.string(),
  versionInfo: z.string().optional(),
  licenseDeclared: z.string().optional(),
  licenseConcluded: z.string().optional(),
  sourceInfo: z.string().optional(),
  primaryPackagePurpose: z.string().optional(),
  externalRefs: z.array(z.object({ referenceCategory: z.string(), referenceType: z.string(), referenceLocator: z.string() })).optional(),
});
const spdxDocument = z.object({
  spdxVersion: z.enum(['SPDX-2.2', 'SPDX-2.3']),
  name: z.string(),
  documentDescribes: z.array(z.string()).optional(),
  packages: z.array(spdxPackage).default([]),
  relationships: z.array(z.object({ spdxElementId: z.string(), relationshipType: z.string(), relatedSpdxElement: z.string() })).default([]),
});
type SpdxPackage = z.infer<typeof spdxPackage>;

function licenseOf(p: SpdxPackage): string[] {
  for (const v of [p.licenseDeclared, p.licenseConcluded]) {
    if (v && v !== 'NOASSERTION' && v !== 'NONE') {
      const expr = toSpdxExpression(v);
      if (expr) return splitConjunction(expr);
    }
  }
  return [];
}

/** bosun writes `acquired package info from <cataloger>: <path> (layer <diffID>), …`; read it back. */
function provenance(sourceInfo: string | undefined): { foundBy: string; locations: Location[] } {
  const m = /^acquired package info from ([^:]+): (.*)$/.exec(sourceInfo ?? '');
  if (!m?.[1] || m[2] === undefined) return { foundBy: 'spdx-json', locations: [] };
  const locations = m[2].split(', ').map((s): Location => {
    const l = /^(\/\S*)(?: \(layer (\S+)\))?$/.exec(s);
    const layer = l?.[2];
    return { path: l?.[1] ?? s, ...(layer && isDigest(layer) ? { layer: layer as Digest } : {}) };
  });
  return { foundBy: m[1], locations };
}

function isOs(p: SpdxPackage): boolean {
  return p.primaryPackagePurpose === 'OPERATING-SYSTEM' || p.primaryPackagePurpose === 'OPERATING_SYSTEM' || p.SPDXID.startsWith('SPDXRef-OperatingSystem-');
}

function toPackage(p: SpdxPackage, problems: Problem[]): Package | undefined {
  const purl = p.externalRefs?.find((r) => r.referenceType === 'purl')?.referenceLocator;
  if (!purl) return undefined;
  const trailingId = /-([0-9a-f]{16})$/.exec(p.SPDXID)?.[1];
  const r = packageFromDocument({ purl, name: p.name, ...(p.versionInfo ? { version: p.versionInfo } : {}), licenses: licenseOf(p), ...provenance(p.sourceInfo), ...(trailingId ? { id: trailingId } : {}) }, p.SPDXID);
  if (isProblem(r)) {
    problems.push(r);
    return undefined;
  }
  return r;
}

/** DEPENDS_ON (and its inverse DEPENDENCY_OF) between packages; CONTAINS is rebuilt by the model. */
function dependsOn(doc: z.infer<typeof spdxDocument>, ids: Map<string, string>): Relationship[] {
  const out: Relationship[] = [];
  for (const r of doc.relationships) {
    const a = ids.get(r.spdxElementId);
    const b = ids.get(r.relatedSpdxElement);
    if (!a || !b) continue;
    if (r.relationshipType === 'DEPENDS_ON') out.push({ from: a, to: b, type: 'depends-on' });
    if (r.relationshipType === 'DEPENDENCY_OF') out.push({ from: b, to: a, type: 'depends-on' });
  }
  return out;
}

/**
 * Reads an SPDX 2.2 or 2.3 JSON document (bosun's, Syft's, Trivy's) into the model. Packages
 * without a purl are not software bosun can match and are skipped; a bad purl is a Problem.
 * Throws SBOM_DOCUMENT_INVALID (not SPDX 2.2/2.3 JSON), LIMIT_EXCEEDED, IO_FAILED.
 */
export async function readSpdx(input: Readable): Promise<Sbom> {
  const doc = await readDocument(input, spdxDocument, 'SPDX document');
  checkCount(doc.packages.length, 'SPDX document');
  const root =
    doc.relationships.find((r) => r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES')?.relatedSpdxElement ??
    doc.documentDescribes?.[0];
  const rootPkg = doc.packages.find((p) => p.SPDXID === root);
  const osPkg = doc.packages.find(isOs);
  const problems: Problem[] = [];
  const ids = new Map<string, string>();
  const packages: Package[] = [];
  for (const p of doc.packages) {
    if (p === rootPkg || p === osPkg) continue;
    const pkg = toPackage(p, problems);
    if (pkg) {
      ids.set(p.SPDXID, pkg.id);
      packages.push(pkg);
    }
  }
  const digest = rootPkg?.versionInfo && isDigest(rootPkg.versionInfo) ? rootPkg.versionInfo : undefined;
  const os: OsRelease | undefined = osPkg ? { id: osPkg.name, ...(osPkg.versionInfo ? { versionId: osPkg.versionInfo } : {}) } : osFromPurls(packages);
  packages.sort(comparePackages);
  return {
    source: { kind: digest ? 'image' : 'document', name: rootPkg?.name ?? doc.name, ...(digest ? { digest } : {}) },
    ...(os ? { os } : {}),
    packages,
    relationships: withContains(packages, dependsOn(doc, ids)),
    problems,
  };
}
