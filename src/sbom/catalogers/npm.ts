import { BosunError } from '../../errors.js';
import type { Cataloger, ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage } from '../cataloger.js';
import { sbomLimits } from '../limits.js';
import type { Package, Relationship } from '../model.js';
import { isNpmName, npmLicense, npmPurl, resolveCandidates } from './npm-common.js';

const name = 'npm-installed';

/** Dependency names per package, kept beside the result until relationships are resolved. */
const depsOf = new WeakMap<Package, string[]>();

/** True for `…/node_modules/<name>/package.json` and `…/node_modules/@scope/<name>/package.json`. */
export function isInstalledManifestPath(path: string): boolean {
  return /\/node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path);
}

function parse({ entry, text }: ParseInput): ParseResult {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new BosunError('SBOM_FILE_INVALID', 'package.json is not a JSON object');
  }
  const m = manifest as Record<string, unknown>;
  if (!isNpmName(m.name) || typeof m.version !== 'string' || !m.version) {
    throw new BosunError('SBOM_FILE_INVALID', 'package.json has no valid name and version');
  }
  const license = npmLicense(m);
  const pkg = newPackage({
    type: 'npm', name: m.name, version: m.version, purl: npmPurl(m.name, m.version), entry, foundBy: name,
    licenses: license ? [license] : [],
    metadata: typeof m.license === 'string' ? { rawLicense: m.license } : {},
  });
  const deps = ['dependencies', 'optionalDependencies'].flatMap((k) => {
    const v = m[k];
    return v && typeof v === 'object' ? Object.keys(v) : [];
  });
  depsOf.set(pkg, deps);
  return { packages: [pkg] };
}

/** DEPENDS_ON edges by Node's resolution: the nearest `node_modules/<dep>` up the tree. */
function resolve(pkgs: readonly Package[]): Relationship[] {
  const byDir = new Map(pkgs.map((p) => [(p.locations[0]?.path ?? '').replace(/\/package\.json$/, ''), p]));
  const out: Relationship[] = [];
  for (const [dir, p] of byDir) {
    for (const dep of depsOf.get(p) ?? []) {
      const target = resolveCandidates(dir, dep).map((c) => byDir.get(c)).find(Boolean);
      if (target) out.push({ from: p.id, to: target.id, type: 'depends-on' });
    }
  }
  return out;
}

const files = fileCataloger({
  name,
  version: 1,
  globs: ['**/node_modules/*/package.json', '**/node_modules/@*/*/package.json'],
  maxBytes: sbomLimits.manifestBytes,
  accept: isInstalledManifestPath,
  parse,
});

/**
 * npm packages as installed: every `node_modules/<name>/package.json` (the truth of what an image
 * ships, whatever a lockfile says). package.json files deeper inside a package (test fixtures,
 * `esm/package.json` type markers) are not packages and are not read.
 */
export const npmInstalledCataloger: Cataloger = {
  name,
  version: 1,
  globs: files.globs,
  async catalog(tree, ctx) {
    const r = await files.catalog(tree, ctx);
    return { ...r, relationships: resolve(r.packages) };
  },
};
