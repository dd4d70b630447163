import type { Readable } from 'node:stream';
import { PackageURL } from 'packageurl-js';
import type { z } from 'zod';
import { BosunError, isBosunError } from '../../errors.js';
import { readAll } from '../../oci/read-all.js';
import type { Location, OsRelease, Package, PackageMetadata, PackageType, Problem, Relationship } from '../model.js';
import { packageId, packageTypes } from '../model.js';
import { sbomLimits } from '../limits.js';

/** Reads and parses an SBOM document (capped), validating its shape with `schema`. */
export async function readDocument<T>(input: Readable, schema: z.ZodType<T>, what: string): Promise<T> {
  let raw: Buffer;
  try {
    raw = await readAll(input, sbomLimits.documentBytes, what);
  } catch (err) {
    if (isBosunError(err)) throw err;
    throw new BosunError('IO_FAILED', `${what}: reading failed`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new BosunError('SBOM_DOCUMENT_INVALID', `${what}: not JSON`, { cause: err });
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new BosunError('SBOM_DOCUMENT_INVALID', `${what}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  return r.data;
}

const knownTypes = new Set<string>(packageTypes);

export interface ReadPackage {
  purl: string;
  name?: string;
  version?: string;
  licenses: string[];
  locations: Location[];
  foundBy: string;
  /** The id the document gave (bosun's own documents carry the content-derived id). */
  id?: string;
  metadata?: PackageMetadata;
}

/**
 * Builds a Package from what a document says, trusting the purl for type (and for name and
 * version when the document omits them). Returns a Problem instead for an unparseable purl or
 * a purl type bosun does not know.
 */
export function packageFromDocument(r: ReadPackage, where: string): Package | Problem {
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(r.purl);
  } catch (err) {
    return { path: where, code: 'SBOM_DOCUMENT_INVALID', message: `purl "${r.purl.slice(0, 200)}": ${(err as Error).message}` };
  }
  if (!knownTypes.has(purl.type)) {
    return { path: where, code: 'SBOM_DOCUMENT_INVALID', message: `purl type "${purl.type}" is not one bosun knows` };
  }
  const type = purl.type as PackageType;
  const fullName = purl.namespace && type === 'npm' ? `${purl.namespace}/${purl.name}` : purl.name;
  const name = r.name ?? fullName;
  const version = r.version ?? purl.version ?? '';
  const id = r.id && /^[0-9a-f]{16}$/.test(r.id) ? r.id : packageId({ type, name, version, path: r.locations[0]?.path ?? r.purl });
  return { id, name, version, type, purl: r.purl, licenses: [...new Set(r.licenses)].sort(), locations: r.locations, foundBy: r.foundBy, metadata: r.metadata ?? {} };
}

export function isProblem(x: Package | Problem): x is Problem {
  return 'code' in x;
}

/** The OS from the first deb/apk/rpm purl's `distro` qualifier (`debian-12` → debian 12). */
export function osFromPurls(pkgs: readonly Package[]): OsRelease | undefined {
  for (const p of pkgs) {
    if (p.type !== 'deb' && p.type !== 'apk' && p.type !== 'rpm') continue;
    const purl = PackageURL.fromString(p.purl);
    const distro = purl.qualifiers?.distro;
    const id = purl.namespace;
    if (id && distro?.startsWith(`${id}-`)) return { id, versionId: distro.slice(id.length + 1) };
  }
  return undefined;
}

/** Caps what a document may hold. */
export function checkCount(n: number, what: string): void {
  if (n > sbomLimits.documentPackages) {
    throw new BosunError('LIMIT_EXCEEDED', `${what}: more than ${sbomLimits.documentPackages} packages`);
  }
}

/** The model's relationship set: the root contains every package, plus the read DEPENDS_ON edges, sorted. */
export function withContains(pkgs: readonly Package[], deps: readonly Relationship[]): Relationship[] {
  const all = new Map<string, Relationship>();
  for (const p of pkgs) all.set(`contains>root>${p.id}`, { from: 'root', to: p.id, type: 'contains' });
  for (const d of deps) if (d.from !== d.to) all.set(`depends-on>${d.from}>${d.to}`, d);
  return [...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}
