import { readFile, stat } from 'node:fs/promises';
import { PackageURL } from 'packageurl-js';
import { z } from 'zod';
import { BosunError } from '../../errors.js';

/** A product a VEX statement is about: a purl or an image digest, optionally narrowed to subcomponent purls. */
export interface VexProduct {
  id: string;
  subcomponents: string[];
}

/** One VEX statement, OpenVEX or CycloneDX, in one shape. */
export interface VexStatement {
  vulnerability: string;
  aliases: string[];
  products: VexProduct[];
  /** OpenVEX statuses; CycloneDX `not_affected`/`false_positive` read as not_affected, `resolved` as fixed. */
  status: 'not_affected' | 'affected' | 'fixed' | 'under_investigation';
  /** The status as the document wrote it (CycloneDX `false_positive`, `resolved_with_pedigree`…), kept for reports. */
  documentStatus: string;
  justification?: string;
  impactStatement?: string;
  /** Newer statements about the same vulnerability and product win (OpenVEX §"Statement precedence"). */
  timestamp?: string;
  format: 'openvex' | 'cyclonedx';
  origin: string;
}

const MAX_VEX_BYTES = 32 * 1024 * 1024;

const openVexProduct = z.object({
  '@id': z.string().optional(),
  identifiers: z.object({ purl: z.string().optional() }).partial().optional(),
  subcomponents: z.array(z.object({ '@id': z.string().optional(), identifiers: z.object({ purl: z.string().optional() }).partial().optional() })).optional(),
});
const openVex = z.object({
  '@context': z.string().regex(/openvex/),
  timestamp: z.string().optional(),
  statements: z.array(z.object({
    vulnerability: z.union([z.string(), z.object({ name: z.string().optional(), '@id': z.string().optional(), aliases: z.array(z.string()).optional() })]),
    products: z.array(z.union([z.string(), openVexProduct])).optional(),
    status: z.enum(['not_affected', 'affected', 'fixed', 'under_investigation']),
    justification: z.string().optional(),
    impact_statement: z.string().optional(),
    timestamp: z.string().optional(),
  })),
});

const cdxVex = z.object({
  bomFormat: z.literal('CycloneDX'),
  metadata: z.object({ component: z.object({ 'bom-ref': z.string().optional(), purl: z.string().optional() }).optional() }).optional(),
  components: z.array(z.object({ 'bom-ref': z.string().optional(), purl: z.string().optional() })).optional(),
  vulnerabilities: z.array(z.object({
    id: z.string(),
    references: z.array(z.object({ id: z.string() })).optional(),
    analysis: z.object({ state: z.string().optional(), justification: z.string().optional(), detail: z.string().optional() }).optional(),
    affects: z.array(z.object({ ref: z.string() })).optional(),
    updated: z.string().optional(),
  })).optional(),
});

function productId(p: string | z.infer<typeof openVexProduct>): VexProduct | undefined {
  if (typeof p === 'string') return { id: p, subcomponents: [] };
  const id = p['@id'] ?? p.identifiers?.purl;
  if (!id) return undefined;
  const subs = (p.subcomponents ?? []).flatMap((s) => {
    const sid = s.identifiers?.purl ?? s['@id'];
    return sid ? [sid] : [];
  });
  return { id, subcomponents: subs };
}

function fromOpenVex(doc: z.infer<typeof openVex>, origin: string): VexStatement[] {
  return doc.statements.map((s) => {
    const v = typeof s.vulnerability === 'string' ? { name: s.vulnerability } : s.vulnerability;
    const name = v.name ?? v['@id'] ?? '';
    const timestamp = s.timestamp ?? doc.timestamp;
    return {
      vulnerability: name, aliases: 'aliases' in v ? (v.aliases ?? []) : [],
      products: (s.products ?? []).flatMap((p) => productId(p) ?? []),
      status: s.status, documentStatus: s.status, format: 'openvex' as const, origin,
      ...(s.justification ? { justification: s.justification } : {}),
      ...(s.impact_statement ? { impactStatement: s.impact_statement } : {}),
      ...(timestamp ? { timestamp } : {}),
    };
  });
}

const cdxStatus: Readonly<Record<string, VexStatement['status']>> = {
  not_affected: 'not_affected', false_positive: 'not_affected', resolved: 'fixed', resolved_with_pedigree: 'fixed',
  exploitable: 'affected', in_triage: 'under_investigation',
};

function fromCycloneDx(doc: z.infer<typeof cdxVex>, origin: string): VexStatement[] {
  const refs = new Map<string, string>();
  for (const c of [...(doc.components ?? []), ...(doc.metadata?.component ? [doc.metadata.component] : [])]) {
    if (c['bom-ref'] && c.purl) refs.set(c['bom-ref'], c.purl);
  }
  return (doc.vulnerabilities ?? []).flatMap((v) => {
    const state = v.analysis?.state ?? '';
    const status = cdxStatus[state];
    if (!status) return [];
    return [{
      vulnerability: v.id, aliases: (v.references ?? []).map((r) => r.id),
      products: (v.affects ?? []).map((a) => ({ id: refs.get(a.ref) ?? a.ref, subcomponents: [] })),
      status, documentStatus: state, format: 'cyclonedx' as const, origin,
      ...(v.analysis?.justification ? { justification: v.analysis.justification } : {}),
      ...(v.analysis?.detail ? { impactStatement: v.analysis.detail } : {}),
      ...(v.updated ? { timestamp: v.updated } : {}),
    }];
  });
}

/** Parses an OpenVEX (0.x) or CycloneDX (1.4–1.6) VEX document. Throws `VULN_VEX_INVALID`. */
export function parseVex(text: string, origin: string): VexStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BosunError('VULN_VEX_INVALID', `VEX document "${origin}" is not JSON`, { cause: err });
  }
  const ov = openVex.safeParse(doc);
  if (ov.success) return fromOpenVex(ov.data, origin);
  const cdx = cdxVex.safeParse(doc);
  if (cdx.success) return fromCycloneDx(cdx.data, origin);
  throw new BosunError('VULN_VEX_INVALID', `"${origin}" is neither OpenVEX nor CycloneDX VEX: ${ov.error.issues[0]?.path.join('.') ?? ''} ${ov.error.issues[0]?.message ?? ''}`);
}

/** Reads one VEX file. Throws `IO_FAILED`, `LIMIT_EXCEEDED`, `VULN_VEX_INVALID`. */
export async function readVex(file: string): Promise<VexStatement[]> {
  let text: string;
  try {
    if ((await stat(file)).size > MAX_VEX_BYTES) throw new BosunError('LIMIT_EXCEEDED', `VEX file "${file}" is larger than ${MAX_VEX_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('IO_FAILED', `cannot read VEX file "${file}"`, { cause: err });
  }
  return parseVex(text, file);
}

function parsePurl(s: string): PackageURL | undefined {
  try {
    return PackageURL.fromString(s);
  } catch {
    return undefined;
  }
}

/**
 * purl matching as VEX products use it: type, namespace and name equal; a product version, when
 * given, equal; every product qualifier present in the package with the same value.
 */
export function purlMatches(product: string, pkg: string): boolean {
  const a = parsePurl(product);
  const b = parsePurl(pkg);
  if (!a || !b) return false;
  if (a.type !== b.type || (a.namespace ?? '') !== (b.namespace ?? '') || a.name !== b.name) return false;
  if (a.version && a.version !== b.version) return false;
  return Object.entries(a.qualifiers ?? {}).every(([k, v]) => b.qualifiers?.[k] === v);
}

/** The image digest a product names: `sha256:…` itself, or the version of a `pkg:oci/…@sha256:…` purl. */
function imageDigest(id: string): string | undefined {
  if (/^sha256:[0-9a-f]{64}$/.test(id)) return id;
  const p = parsePurl(id);
  return p?.type === 'oci' && p.version?.startsWith('sha256:') ? p.version : undefined;
}

/** True when a product covers a package of the scanned artifact (by purl, or by image digest plus subcomponents). */
export function productCovers(product: VexProduct, pkgPurl: string, artifactDigest: string | undefined): boolean {
  const digest = imageDigest(product.id);
  if (digest !== undefined) {
    if (digest !== artifactDigest) return false;
    return product.subcomponents.length === 0 || product.subcomponents.some((s) => purlMatches(s, pkgPurl));
  }
  return purlMatches(product.id, pkgPurl);
}
