import { parse as parseYaml } from 'yaml';
import { BosunError } from '../../errors.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage } from '../cataloger.js';
import { sbomLimits } from '../limits.js';
import type { Package } from '../model.js';
import { isNpmName, npmPurl } from './npm-common.js';
import type { LockNode } from './npm-graph.js';
import { lockRelationships, reachable } from './npm-graph.js';

const name = 'pnpm-lock';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/**
 * Splits a pnpm package key into name and version, for every lockfile generation:
 * v5 `/name/1.0.0_peer@2`, v6 `/name@1.0.0(peer@2)`, v9 `name@1.0.0(peer@2)`.
 */
export function splitPnpmKey(key: string, isV5: boolean): { name: string; version: string } | undefined {
  const k = key.replace(/^\//, '').replace(/\(.*$/, '');
  const sep = isV5 ? k.lastIndexOf('/') : k.lastIndexOf('@');
  if (sep <= 0) return undefined;
  const version = isV5 ? (k.slice(sep + 1).split('_')[0] ?? '') : k.slice(sep + 1);
  return { name: k.slice(0, sep), version };
}

/** The key a `dependencies: { name: ref }` entry points at, in the lockfile's own key style. */
function depKey(dep: string, ref: string, version: number): string {
  if (ref.startsWith('/')) return ref; // aliases and v5/v6 absolute refs
  if (version >= 9) return `${dep}@${ref}`;
  return version >= 6 ? `/${dep}@${ref}` : `/${dep}/${ref}`;
}

interface Parsed {
  nodes: Map<string, LockNode>;
  prodRoots: string[];
  devRoots: string[];
  /** v5/v6 record `dev: true|false` per package; v9 leaves it to reachability. */
  devFlags: Map<string, boolean>;
}

function importerRoots(doc: Obj, version: number): { prod: string[]; dev: string[] } {
  // v5/v6 single-project lockfiles keep dependencies at the top level instead of under importers
  const importers = Object.values(obj(doc.importers));
  const projects = importers.length > 0 ? importers.map(obj) : [doc];
  const refs = (field: string): string[] =>
    projects.flatMap((p) => Object.entries(obj(p[field])).map(([dep, v]) => depKey(dep, typeof v === 'string' ? v : String(obj(v).version ?? ''), version)));
  return { prod: [...refs('dependencies'), ...refs('optionalDependencies')], dev: refs('devDependencies') };
}

/** Parses pnpm-lock.yaml (lockfileVersion 5.x, 6.x, 9.x). Throws SBOM_FILE_INVALID otherwise. */
export function parsePnpmLock(text: string): Parsed {
  let doc: Obj;
  try {
    doc = obj(parseYaml(text, { maxAliasCount: 100 }));
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `not YAML: ${(err as Error).message}`, { cause: err });
  }
  const version = Number.parseFloat(String(doc.lockfileVersion ?? ''));
  if (!(version >= 5 && version < 10)) throw new BosunError('SBOM_FILE_INVALID', 'not a pnpm-lock.yaml of lockfileVersion 5, 6 or 9');
  // v9 moved each package's dependency lists from `packages` to `snapshots`
  const entries = Object.entries(obj(version >= 9 ? doc.snapshots : doc.packages));
  if (entries.length > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} packages`);
  const nodes = new Map<string, LockNode>();
  const devFlags = new Map<string, boolean>();
  for (const [key, raw] of entries) {
    const nv = splitPnpmKey(key, version < 6);
    if (!nv) continue;
    const e = obj(raw);
    const deps = [...Object.entries(obj(e.dependencies)), ...Object.entries(obj(e.optionalDependencies))].map(([d, r]) => depKey(d, String(r), version));
    nodes.set(key, { key, ...nv, deps });
    if (typeof e.dev === 'boolean') devFlags.set(key, e.dev);
  }
  const roots = importerRoots(doc, version);
  return { nodes, prodRoots: roots.prod, devRoots: roots.dev, devFlags };
}

function parse({ entry, text }: ParseInput): ParseResult {
  const p = parsePnpmLock(text);
  const prod = reachable(p.nodes, p.prodRoots);
  const byKey = new Map<string, Package>();
  for (const [key, n] of p.nodes) {
    if (!isNpmName(n.name) || !n.version) continue;
    byKey.set(key, newPackage({
      type: 'npm', name: n.name, version: n.version, purl: npmPurl(n.name, n.version), entry, foundBy: name,
      metadata: { isDev: p.devFlags.get(key) ?? !prod.has(key) },
    }));
  }
  return { packages: [...byKey.values()], relationships: lockRelationships(p.nodes, byKey) };
}

/** npm packages a pnpm-lock.yaml pins (v5, v6, v9), with dev-only packages marked. */
export const pnpmLockCataloger = fileCataloger({
  name,
  version: 1,
  globs: ['**/pnpm-lock.yaml'],
  maxBytes: sbomLimits.databaseBytes,
  accept: (p) => !p.includes('/node_modules/'),
  parse,
});
