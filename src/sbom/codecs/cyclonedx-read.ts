import type { Readable } from 'node:stream';
import { z } from 'zod';
import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import { isDigest } from '../../oci/digest.js';
import { comparePackages } from '../catalog.js';
import { splitConjunction, toSpdxExpression } from '../license.js';
import { sbomLimits } from '../limits.js';
import type { Location, OsRelease, Package, PackageMetadata, Problem, Relationship, Sbom } from '../model.js';
import { checkCount, isProblem, osFromPurls, packageFromDocument, readDocument, withContains } from './read-common.js';
import { readMetadataProperty } from './metadata-properties.js';

// spec: CycloneDX 1.4-1.6 JSON. Only what bosun's model holds is read; unknown fields are ignored.

interface CdxComponent {
  type: string;
  'bom-ref'?: string;
  group?: string;
  name: string;
  version?: string;
  purl?: string;
  licenses?: Array<{ license?: { id?: string; name?: string }; expression?: string }>;
  properties?: Array<{ name: string; value?: string }>;
  components?: CdxComponent[];
}

const component: z.ZodType<CdxComponent> = z.lazy(() =>
  z.object({
    type: z.string(),
    'bom-ref': z.string().optional(),
    group: z.string().optional(),
    name: z.string(),
    version: z.string().optional(),
    purl: z.string().optional(),
    licenses: z.array(z.object({ license: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(), expression: z.string().optional() })).optional(),
    properties: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
    components: z.array(component).optional(),
  }),
);
const bom = z.object({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.enum(['1.4', '1.5', '1.6']),
  metadata: z.object({ component: component.optional() }).optional(),
  components: z.array(component).default([]),
  dependencies: z.array(z.object({ ref: z.string(), dependsOn: z.array(z.string()).optional() })).default([]),
});

/** Components in document order, nested ones after their parent; depth-capped. */
function flatten(list: readonly CdxComponent[], depth = 0, out: CdxComponent[] = []): CdxComponent[] {
  if (depth > sbomLimits.documentDepth) throw new BosunError('LIMIT_EXCEEDED', `CycloneDX document: components nested deeper than ${sbomLimits.documentDepth}`);
  for (const c of list) {
    out.push(c);
    if (c.components) flatten(c.components, depth + 1, out);
  }
  return out;
}

/** Ids and names as written; an expression split at its top-level ANDs (as bosun writes lists). */
function licensesOf(c: CdxComponent): string[] {
  return (c.licenses ?? [])
    .map((l) => l.expression ?? l.license?.id ?? l.license?.name)
    .map((x) => (x ? toSpdxExpression(x) : undefined))
    .filter((x): x is string => !!x)
    .flatMap(splitConjunction);
}

/** bosun's (and Syft's) `<tool>:location:<n>:path|layer` and `<tool>:package:foundBy` properties. */
function provenance(c: CdxComponent): { foundBy: string; locations: Location[]; metadata: PackageMetadata } {
  const byIndex = new Map<number, Location>();
  let foundBy = 'cyclonedx-json';
  const metadata: PackageMetadata = {};
  for (const p of c.properties ?? []) {
    const loc = /^(?:bosun|syft):location:(\d+):(path|layerID|layer)$/.exec(p.name);
    if (loc?.[1] && p.value) {
      const i = Number(loc[1]);
      const l = byIndex.get(i) ?? { path: '' };
      if (loc[2] === 'path') l.path = p.value;
      else if (isDigest(p.value)) l.layer = p.value as Digest;
      byIndex.set(i, l);
    } else if (/^(?:bosun|syft):package:foundBy$/.test(p.name) && p.value) foundBy = p.value;
    else readMetadataProperty(metadata, p.name, p.value);
  }
  const locations = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, l]) => l).filter((l) => l.path);
  return { foundBy, locations, metadata };
}

function toPackage(c: CdxComponent, problems: Problem[]): Package | undefined {
  if (!c.purl) return undefined;
  const name = c.group && c.purl.startsWith('pkg:npm/') ? `${c.group}/${c.name}` : c.name;
  const r = packageFromDocument(
    { purl: c.purl, name, ...(c.version ? { version: c.version } : {}), licenses: licensesOf(c), ...provenance(c), ...(c['bom-ref'] ? { id: c['bom-ref'] } : {}) },
    c['bom-ref'] ?? c.purl,
  );
  if (isProblem(r)) {
    problems.push(r);
    return undefined;
  }
  return r;
}

/**
 * Reads a CycloneDX 1.4-1.6 JSON BOM (bosun's, Syft's, Trivy's) into the model: components with
 * a purl become packages, an `operating-system` component the OS, `dependencies` DEPENDS_ON.
 * Throws SBOM_DOCUMENT_INVALID (not CycloneDX JSON 1.4-1.6), LIMIT_EXCEEDED, IO_FAILED.
 */
export async function readCycloneDx(input: Readable): Promise<Sbom> {
  const doc = await readDocument(input, bom, 'CycloneDX document');
  const all = flatten(doc.components);
  checkCount(all.length, 'CycloneDX document');
  const problems: Problem[] = [];
  const ids = new Map<string, string>();
  const packages: Package[] = [];
  for (const c of all) {
    const p = c.type === 'operating-system' ? undefined : toPackage(c, problems);
    if (!p) continue;
    if (c['bom-ref']) ids.set(c['bom-ref'], p.id);
    packages.push(p);
  }
  const deps: Relationship[] = doc.dependencies.flatMap((d) =>
    (d.dependsOn ?? []).flatMap((to) => {
      const a = ids.get(d.ref);
      const b = ids.get(to);
      return a && b ? [{ from: a, to: b, type: 'depends-on' as const }] : [];
    }),
  );
  const osc = all.find((c) => c.type === 'operating-system');
  const os: OsRelease | undefined = osc ? { id: osc.name, ...(osc.version ? { versionId: osc.version } : {}) } : osFromPurls(packages);
  const meta = doc.metadata?.component;
  const digest = meta?.version && isDigest(meta.version) ? meta.version : undefined;
  packages.sort(comparePackages);
  return {
    source: { kind: meta?.type === 'container' ? 'image' : 'document', name: meta?.name ?? 'cyclonedx', ...(digest ? { digest } : {}) },
    ...(os ? { os } : {}),
    packages,
    relationships: withContains(packages, deps),
    problems,
  };
}
