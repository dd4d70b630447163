import { isListedId, joinExpressions } from '../license.js';
import type { Package, Sbom } from '../model.js';
import type { SbomCodec, WriteOptions } from './common.js';
import { readCycloneDx } from './cyclonedx-read.js';
import { contentHash, creationTime, toolVersion, writeJson } from './common.js';
import { metadataProperties } from './metadata-properties.js';

// spec: CycloneDX 1.6 JSON, https://cyclonedx.org/docs/1.6/json/

type Json = Record<string, unknown>;

/** A UUID (RFC 4122 layout, version 5 style nibbles) derived from the content hash. */
function serialNumber(sbom: Sbom): string {
  const h = contentHash(sbom);
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Listed ids as `license.id`; anything else (LicenseRef, compound) as one SPDX expression. */
function licenses(p: Package): Json[] | undefined {
  if (p.licenses.length === 0) return undefined;
  if (p.licenses.every(isListedId)) return p.licenses.map((id) => ({ license: { id } }));
  return [{ expression: joinExpressions(p.licenses, 'AND') }];
}

function properties(p: Package): Json[] {
  const props: Json[] = [{ name: 'bosun:package:foundBy', value: p.foundBy }, { name: 'bosun:package:type', value: p.type }];
  p.locations.forEach((l, i) => {
    props.push({ name: `bosun:location:${i}:path`, value: l.path });
    if (l.layer) props.push({ name: `bosun:location:${i}:layer`, value: l.layer });
  });
  props.push(...metadataProperties(p.metadata));
  return props;
}

function component(p: Package): Json {
  const scoped = p.type === 'npm' && p.name.startsWith('@') ? p.name.split('/') : undefined;
  const lic = licenses(p);
  return {
    type: 'library',
    'bom-ref': p.id,
    ...(scoped ? { group: scoped[0], name: scoped.slice(1).join('/') } : { name: p.name }),
    version: p.version,
    ...(lic ? { licenses: lic } : {}),
    purl: p.purl,
    properties: properties(p),
  };
}

function osComponent(sbom: Sbom): Json | undefined {
  if (!sbom.os) return undefined;
  return {
    type: 'operating-system',
    'bom-ref': `os-${sbom.os.id}`,
    name: sbom.os.id,
    ...(sbom.os.versionId ? { version: sbom.os.versionId } : {}),
    ...(sbom.os.prettyName ? { description: sbom.os.prettyName } : {}),
  };
}

/** One entry per component, listing its DEPENDS_ON targets (sorted, possibly empty). */
function dependencies(sbom: Sbom): Json[] {
  const deps = new Map(sbom.packages.map((p) => [p.id, new Set<string>()]));
  for (const r of sbom.relationships) if (r.type === 'depends-on') deps.get(r.from)?.add(r.to);
  return [...deps].map(([ref, on]) => ({ ref, dependsOn: [...on].sort() }));
}

/**
 * Encodes an SBOM as a CycloneDX 1.6 JSON BOM. Deterministic like `toSpdx`: the serial number is
 * derived from content and the timestamp from `created` / SOURCE_DATE_EPOCH.
 */
export function toCycloneDx(sbom: Sbom, opts?: WriteOptions): Json {
  const os = osComponent(sbom);
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialNumber(sbom),
    version: 1,
    metadata: {
      timestamp: creationTime(opts),
      tools: { components: [{ type: 'application', name: 'bosun', version: toolVersion(opts) }] },
      component: {
        type: sbom.source.kind === 'image' ? 'container' : 'file',
        'bom-ref': 'root',
        name: sbom.source.name,
        ...(sbom.source.digest ? { version: sbom.source.digest } : {}),
        ...sourceProperties(sbom),
      },
    },
    components: [...(os ? [os] : []), ...sbom.packages.map(component)],
    dependencies: dependencies(sbom),
  };
}

/** The image facts beyond name and digest, as `bosun:image:*` properties (none for directories). */
function sourceProperties(sbom: Sbom): { properties?: Json[] } {
  const s = sbom.source;
  const props: Array<{ name: string; value: string }> = [];
  if (s.configDigest) props.push({ name: 'bosun:image:configDigest', value: s.configDigest });
  if (s.platform) props.push({ name: 'bosun:image:platform', value: s.platform });
  for (const [i, d] of (s.layers ?? []).entries()) props.push({ name: `bosun:image:layer:${i}`, value: d });
  for (const t of s.repoTags ?? []) props.push({ name: 'bosun:image:repoTag', value: t });
  for (const d of s.repoDigests ?? []) props.push({ name: 'bosun:image:repoDigest', value: d });
  return props.length > 0 ? { properties: props } : {};
}

/** `cyclonedx-json@1.6`. */
export const cycloneDxJson: SbomCodec = {
  format: 'cyclonedx-json@1.6',
  encode: toCycloneDx,
  read: readCycloneDx,
  write: (sbom, out, opts) => writeJson(toCycloneDx(sbom, opts), out),
};
