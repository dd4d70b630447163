import { PackageURL } from 'packageurl-js';
import { joinExpressions, toSpdxExpression } from '../license.js';

/** `pkg:npm/%40scope/name@version` (the purl spec percent-encodes the scope's `@`). */
export function npmPurl(fullName: string, version: string): string {
  const slash = fullName.startsWith('@') ? fullName.indexOf('/') : -1;
  const namespace = slash > 0 ? fullName.slice(0, slash) : undefined;
  const name = slash > 0 ? fullName.slice(slash + 1) : fullName;
  return new PackageURL('npm', namespace, name, version, undefined, undefined).toString();
}

/** npm names: lowercase-ish URL-safe, optional `@scope/`; rejects path tricks and empty parts. */
export function isNpmName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 214 && /^(@[^/@\s]+\/)?[^/@\s][^/\s]*$/.test(name) && !name.includes('..');
}

function licenseText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'type' in v && typeof v.type === 'string') return v.type;
  return undefined;
}

/**
 * The license of a package.json: `license` as a string (an SPDX expression, or legacy text) or an
 * object `{ type }`, or the legacy `licenses: [{ type }]` array (read as OR, as npm documented it).
 */
export function npmLicense(manifest: Record<string, unknown>): string | undefined {
  const direct = licenseText(manifest.license);
  if (direct) return toSpdxExpression(direct);
  const list = Array.isArray(manifest.license) ? manifest.license : Array.isArray(manifest.licenses) ? manifest.licenses : [];
  const parts = list.map(licenseText).filter((t): t is string => !!t).map((t) => toSpdxExpression(t)).filter((t): t is string => !!t);
  return parts.length > 0 ? joinExpressions(parts, 'OR') : undefined;
}

/** Where Node's resolver finds `dep` from a package directory: each ancestor's node_modules. */
export function resolveCandidates(pkgDir: string, dep: string): string[] {
  const out: string[] = [];
  let dir = pkgDir;
  for (;;) {
    if (!dir.endsWith('/node_modules')) out.push(`${dir === '/' ? '' : dir}/node_modules/${dep}`);
    if (dir === '/' || dir === '') break;
    dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
  }
  return out;
}
