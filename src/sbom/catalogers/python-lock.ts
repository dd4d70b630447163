import { PackageURL } from 'packageurl-js';
import { parse as parseToml } from 'smol-toml';
import { BosunError } from '../../errors.js';
import type { FileEntry } from '../../oci/types.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage } from '../cataloger.js';
import { sbomLimits } from '../limits.js';
import type { Package, Relationship } from '../model.js';
import { normalizePythonName } from './python.js';

/** One locked distribution: name as written, version, dev flag, and the names it depends on. */
export interface LockedPython {
  name: string;
  version: string;
  isDev: boolean;
  deps: string[];
}

type Table = Record<string, unknown>;

function table(v: unknown): Table | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) ? (v as Table) : undefined;
}

function tables(v: unknown): Table[] {
  return Array.isArray(v) ? v.map(table).filter((t): t is Table => t !== undefined) : [];
}

function readToml(text: string): Table {
  try {
    return parseToml(text, { maxDepth: 64 }) as Table;
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `not TOML: ${(err as Error).message}`, { cause: err });
  }
}

function capped<T>(items: T[]): T[] {
  if (items.length > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} packages`);
  return items;
}

/**
 * poetry.lock (lock-version 1.x and 2.x): `[[package]]` tables with name and version. Dev-only
 * when `category = "dev"` (Poetry < 1.5) or when `groups` (Poetry 2) does not include `main`;
 * Poetry 1.5-1.8 locks record no groups, so nothing is marked dev there. Packages from a local
 * directory (`source.type = "directory"`) are the project's own code and are skipped.
 */
export function parsePoetryLock(text: string): LockedPython[] {
  const doc = readToml(text);
  const out = tables(doc.package).flatMap((p): LockedPython[] => {
    if (typeof p.name !== 'string' || typeof p.version !== 'string' || table(p.source)?.type === 'directory') return [];
    const groups = Array.isArray(p.groups) ? p.groups : undefined;
    const isDev = p.category === 'dev' || (groups !== undefined && !groups.includes('main'));
    return [{ name: p.name, version: p.version, isDev, deps: Object.keys(table(p.dependencies) ?? {}) }];
  });
  return capped(out);
}

/** Names of a uv dependency list (`[{ name = "idna" }, …]`). */
function uvNames(v: unknown): string[] {
  return tables(v).map((d) => d.name).filter((n): n is string => typeof n === 'string');
}

/**
 * uv.lock: `[[package]]` with name, version and `source`. The project (and workspace members) have
 * an `editable` or `virtual` source and are not dependencies; a package is dev-only when it is not
 * reachable from them through `dependencies` and `optional-dependencies`, only through
 * `dev-dependencies`.
 */
export function parseUvLock(text: string): LockedPython[] {
  const pkgs = tables(readToml(text).package);
  const isProject = (p: Table): boolean => { const s = table(p.source); return s !== undefined && ('editable' in s || 'virtual' in s); };
  const runtimeDeps = (p: Table): string[] => [...uvNames(p.dependencies), ...Object.values(table(p['optional-dependencies']) ?? {}).flatMap(uvNames)];
  const byName = new Map<string, Table[]>();
  for (const p of pkgs) if (typeof p.name === 'string') byName.set(normalizePythonName(p.name), [...(byName.get(normalizePythonName(p.name)) ?? []), p]);
  const main = new Set<string>();
  const queue = pkgs.filter(isProject).flatMap(runtimeDeps).map(normalizePythonName);
  while (queue.length > 0) {
    const n = queue.pop() as string;
    if (main.has(n)) continue;
    main.add(n);
    for (const p of byName.get(n) ?? []) queue.push(...runtimeDeps(p).map(normalizePythonName));
  }
  const hasProject = pkgs.some(isProject);
  return capped(pkgs.flatMap((p): LockedPython[] => {
    if (typeof p.name !== 'string' || typeof p.version !== 'string' || isProject(p)) return [];
    return [{ name: p.name, version: p.version, isDev: hasProject && !main.has(normalizePythonName(p.name)), deps: uvNames(p.dependencies) }];
  }));
}

/** Pipfile.lock (JSON): `default` and `develop` (dev) maps of `name → { version: "==1.2.3" }`; git and path entries have no version and are skipped. */
export function parsePipfileLock(text: string): LockedPython[] {
  let doc: Table | undefined;
  try {
    doc = table(JSON.parse(text));
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!doc || !table(doc._meta)) throw new BosunError('SBOM_FILE_INVALID', 'not a Pipfile.lock (no _meta)');
  const section = (key: string, isDev: boolean): LockedPython[] => Object.entries(table(doc[key]) ?? {}).flatMap(([n, v]) => {
    const version = table(v)?.version;
    return typeof version === 'string' && version.startsWith('==') ? [{ name: n, version: version.slice(2), isDev, deps: [] }] : [];
  });
  return capped([...section('default', false), ...section('develop', true)]);
}

function toPackages(locked: readonly LockedPython[], entry: FileEntry, foundBy: string): ParseResult {
  const packages: Package[] = locked.map((l) => newPackage({
    type: 'pypi', name: l.name, version: l.version, entry, foundBy, metadata: { isDev: l.isDev },
    purl: new PackageURL('pypi', undefined, normalizePythonName(l.name), l.version, undefined, undefined).toString(),
  }));
  const byName = new Map<string, Package>();
  packages.forEach((p) => byName.set(normalizePythonName(p.name), p));
  const relationships: Relationship[] = locked.flatMap((l, i) => l.deps
    .map((d) => byName.get(normalizePythonName(d)))
    .filter((to): to is Package => to !== undefined && to !== packages[i])
    .map((to) => ({ from: (packages[i] as Package).id, to: to.id, type: 'depends-on' as const })));
  return { packages, relationships };
}

function lockCataloger(name: string, glob: string, read: (text: string) => LockedPython[]): ReturnType<typeof fileCataloger> {
  return fileCataloger({
    name, version: 1, globs: [glob], maxBytes: sbomLimits.databaseBytes,
    accept: (path) => !/\/(site|dist)-packages\//.test(path),
    parse: ({ entry, text }: ParseInput) => toPackages(read(text), entry, name),
  });
}

/** Python packages pinned by Poetry's `poetry.lock`. */
export const poetryLockCataloger = lockCataloger('python-poetry-lock', '**/poetry.lock', parsePoetryLock);
/** Python packages pinned by uv's `uv.lock`. */
export const uvLockCataloger = lockCataloger('python-uv-lock', '**/uv.lock', parseUvLock);
/** Python packages pinned by Pipenv's `Pipfile.lock`. */
export const pipfileLockCataloger = lockCataloger('python-pipfile-lock', '**/Pipfile.lock', parsePipfileLock);
