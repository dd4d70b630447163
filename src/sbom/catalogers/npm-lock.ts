import { BosunError } from '../../errors.js';
import type { FileEntry } from '../../oci/types.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage } from '../cataloger.js';
import { toSpdxExpression } from '../license.js';
import { sbomLimits } from '../limits.js';
import type { Package, Relationship } from '../model.js';
import { isNpmName, npmPurl, resolveCandidates } from './npm-common.js';

const name = 'npm-lock';

/** One locked package, keyed by its install path relative to the project (`node_modules/a/node_modules/b`). */
interface Locked {
  key: string;
  name: string;
  version: string;
  isDev: boolean;
  license?: string;
  deps: string[];
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/** lockfileVersion 2 and 3: the flat `packages` map (spec: npm docs, package-lock.json). */
function fromPackages(packages: Json): Locked[] {
  const out: Locked[] = [];
  for (const [key, raw] of Object.entries(packages)) {
    const e = obj(raw);
    // "" is the project itself; links point at workspace folders catalogued on their own
    if (!key || !e || e.link === true || !key.includes('node_modules/')) continue;
    const pkgName = typeof e.name === 'string' ? e.name : key.slice(key.lastIndexOf('node_modules/') + 13);
    if (!isNpmName(pkgName) || typeof e.version !== 'string') continue;
    out.push({
      key, name: pkgName, version: e.version, isDev: e.dev === true || e.devOptional === true,
      ...(typeof e.license === 'string' ? { license: e.license } : {}),
      deps: [...Object.keys(obj(e.dependencies) ?? {}), ...Object.keys(obj(e.optionalDependencies) ?? {})],
    });
  }
  return out;
}

/** lockfileVersion 1: nested `dependencies` objects, `requires` naming each package's deps. */
function fromDependencies(deps: Json, prefix: string, depth: number, out: Locked[]): Locked[] {
  if (depth > 64) throw new BosunError('LIMIT_EXCEEDED', 'lockfile nesting deeper than 64');
  for (const [pkgName, raw] of Object.entries(deps)) {
    const e = obj(raw);
    if (!e || !isNpmName(pkgName) || typeof e.version !== 'string' || e.version.startsWith('file:')) continue;
    const key = `${prefix}node_modules/${pkgName}`;
    out.push({ key, name: pkgName, version: e.version, isDev: e.dev === true, deps: Object.keys(obj(e.requires) ?? {}) });
    const nested = obj(e.dependencies);
    if (nested) fromDependencies(nested, `${key}/`, depth + 1, out);
  }
  return out;
}

/** The packages a package-lock.json pins, v1 to v3. Throws SBOM_FILE_INVALID for non-lockfiles. */
export function parsePackageLock(text: string): Locked[] {
  let doc: Json | undefined;
  try {
    doc = obj(JSON.parse(text));
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `not JSON: ${(err as Error).message}`, { cause: err });
  }
  const version = doc?.lockfileVersion;
  if (!doc || (version !== 1 && version !== 2 && version !== 3)) {
    throw new BosunError('SBOM_FILE_INVALID', 'not a package-lock.json of lockfileVersion 1, 2 or 3');
  }
  const packages = obj(doc.packages);
  const locked = packages ? fromPackages(packages) : fromDependencies(obj(doc.dependencies) ?? {}, '', 0, []);
  if (locked.length > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} packages`);
  return locked;
}

function toPackage(l: Locked, entry: FileEntry): Package {
  const license = l.license ? toSpdxExpression(l.license) : undefined;
  return newPackage({
    type: 'npm', name: l.name, version: l.version, purl: npmPurl(l.name, l.version), entry, foundBy: name,
    licenses: license ? [license] : [],
    metadata: { isDev: l.isDev },
  });
}

function parse({ entry, text }: ParseInput): ParseResult {
  const locked = parsePackageLock(text);
  const byKey = new Map(locked.map((l) => [l.key, toPackage(l, entry)]));
  const relationships: Relationship[] = [];
  for (const l of locked) {
    const from = byKey.get(l.key) as Package;
    for (const dep of l.deps) {
      const to = resolveCandidates(`/${l.key}`, dep).map((c) => byKey.get(c.slice(1))).find(Boolean);
      if (to) relationships.push({ from: from.id, to: to.id, type: 'depends-on' });
    }
  }
  return { packages: [...byKey.values()], relationships };
}

/**
 * npm packages a project's package-lock.json pins (v1-v3), with devDependencies marked
 * (`metadata.isDev`). Lockfiles inside node_modules (npm's hidden lockfile, published
 * packages' own) describe nothing installed for this project and are not read.
 */
export const npmLockCataloger = fileCataloger({
  name,
  version: 1,
  globs: ['**/package-lock.json'],
  maxBytes: sbomLimits.databaseBytes,
  accept: (path) => !path.includes('/node_modules/'),
  parse,
});
