import { isBosunError } from '../errors.js';
import type { FileTree } from '../oci/types.js';
import type { Cataloger, CatalogContext } from './cataloger.js';
import { throwIfAborted } from './cataloger.js';
import { defaultCatalogers } from './catalogers/index.js';
import { findOsRelease, osReleaseGlobs } from './catalogers/os-release.js';
import type { Package, Problem, Relationship, Sbom, SbomSource } from './model.js';

export interface CatalogOptions {
  source: SbomSource;
  /** Defaults to every cataloger in `catalogers/index.ts`. */
  catalogers?: readonly Cataloger[];
  signal?: AbortSignal;
}

/**
 * Every path the catalogers (and OS detection) read, deduplicated and sorted: pass it to
 * `squash(image, globs)` so each layer is read once and only these files are captured.
 */
export function catalogGlobs(catalogers: readonly Cataloger[] = defaultCatalogers): string[] {
  return [...new Set([...osReleaseGlobs, ...catalogers.flatMap((c) => c.globs)])].sort();
}

/**
 * Builds an SBOM from a tree: detects the OS, runs each cataloger, merges packages with the same
 * purl (their locations joined), and sorts everything so equal trees give equal SBOMs. A cataloger
 * that fails outright becomes a Problem; the others still run. Throws only ABORTED.
 */
export async function catalog(tree: FileTree, opts: CatalogOptions): Promise<Sbom> {
  const catalogers = opts.catalogers ?? defaultCatalogers;
  const release = await findOsRelease(tree);
  const ctx: CatalogContext = { ...(release.os ? { os: release.os } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  const packages: Package[] = [];
  const relationships: Relationship[] = [];
  const problems: Problem[] = [...release.problems];
  for (const c of catalogers) {
    throwIfAborted(opts.signal);
    try {
      const r = await c.catalog(tree, ctx);
      packages.push(...r.packages);
      relationships.push(...(r.relationships ?? []));
      problems.push(...r.problems);
    } catch (err) {
      if (isBosunError(err, 'ABORTED')) throw err;
      // catalogers turn bad input into problems themselves; anything escaping one is a bug
      const code = isBosunError(err) ? err.code : 'INTERNAL';
      problems.push({ path: '/', code, message: `cataloger ${c.name}: ${errorText(err)}` });
    }
  }
  const merged = mergeByPurl(dropOwned(packages, catalogers));
  return {
    source: opts.source,
    ...(release.os ? { os: release.os } : {}),
    packages: merged.packages,
    relationships: finishRelationships(merged, relationships),
    problems: uniqueProblems(problems),
  };
}

const osTypes: ReadonlySet<string> = new Set(['deb', 'apk', 'rpm']);

/** A path and its merged-/usr twin (`/bin/x` and `/usr/bin/x`): package lists use either. */
function pathForms(p: string): string[] {
  if (/^\/(?:bin|sbin|lib[^/]*)\//.test(p)) return [p, `/usr${p}`];
  if (/^\/usr\/(?:bin|sbin|lib[^/]*)\//.test(p)) return [p, p.slice(4)];
  return [p];
}

/**
 * Drops packages of `skipOwnedFiles` catalogers found only in files an OS package lists (dpkg
 * `.list`, apk `F`/`R`): those files are the OS package's, already in the SBOM with its version.
 */
export function dropOwned(packages: readonly Package[], catalogers: readonly Cataloger[]): Package[] {
  const skip = new Set(catalogers.filter((c) => c.skipOwnedFiles).map((c) => c.name));
  if (skip.size === 0) return [...packages];
  const owned = new Set(packages.filter((p) => osTypes.has(p.type)).flatMap((p) => (p.metadata.files ?? []).flatMap(pathForms)));
  return packages.filter((p) => !skip.has(p.foundBy) || !p.locations.every((l) => owned.has(l.path)));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Merged {
  packages: Package[];
  /** Every original id to the id of the package it was merged into. */
  idMap: Map<string, string>;
}

/** One package per purl; locations unioned and sorted; the first by location keeps its id. */
export function mergeByPurl(packages: readonly Package[]): Merged {
  const sorted = [...packages].sort(comparePackages);
  const byPurl = new Map<string, Package>();
  const idMap = new Map<string, string>();
  for (const p of sorted) {
    const kept = byPurl.get(p.purl);
    if (!kept) {
      byPurl.set(p.purl, { ...p, locations: [...p.locations] });
      idMap.set(p.id, p.id);
      continue;
    }
    idMap.set(p.id, kept.id);
    for (const loc of p.locations) {
      if (!kept.locations.some((l) => l.path === loc.path && l.layer === loc.layer)) kept.locations.push(loc);
    }
    kept.licenses = [...new Set([...kept.licenses, ...p.licenses])].sort();
    // dev-only only if every place that knows (lockfiles; installed trees do not) says so
    const dev = [kept.metadata.isDev, p.metadata.isDev].filter((x) => x !== undefined);
    if (dev.length > 0) kept.metadata = { ...kept.metadata, isDev: dev.every(Boolean) };
  }
  const out = [...byPurl.values()];
  for (const p of out) p.locations.sort((a, b) => cmp(a.path, b.path) || cmp(a.layer ?? '', b.layer ?? ''));
  return { packages: out.sort(comparePackages), idMap };
}

function finishRelationships(merged: Merged, rels: readonly Relationship[]): Relationship[] {
  const seen = new Map<string, Relationship>();
  for (const p of merged.packages) seen.set(`root>${p.id}>contains`, { from: 'root', to: p.id, type: 'contains' });
  for (const r of rels) {
    const from = merged.idMap.get(r.from);
    const to = merged.idMap.get(r.to);
    if (from && to && from !== to) seen.set(`${from}>${to}>${r.type}`, { from, to, type: r.type });
  }
  return [...seen.values()].sort((a, b) => cmp(a.type, b.type) || cmp(a.from, b.from) || cmp(a.to, b.to));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePackages(a: Package, b: Package): number {
  return (
    cmp(a.type, b.type) ||
    cmp(a.name, b.name) ||
    cmp(a.version, b.version) ||
    cmp(a.purl, b.purl) ||
    cmp(a.locations[0]?.path ?? '', b.locations[0]?.path ?? '')
  );
}

/** Sorted, and one of each: catalogers sharing a file (and its parse) report the same failure once. */
function uniqueProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Map(problems.map((p) => [`${p.path}\0${p.layer ?? ''}\0${p.code}\0${p.message}`, p]));
  return [...seen.values()].sort(compareProblems);
}

function compareProblems(a: Problem, b: Problem): number {
  return cmp(a.path, b.path) || cmp(a.layer ?? '', b.layer ?? '') || cmp(a.code, b.code) || cmp(a.message, b.message);
}
