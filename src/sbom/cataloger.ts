import { BosunError, isBosunError } from '../errors.js';
import type { FileEntry, FileTree } from '../oci/types.js';
import type { Location, OsRelease, Package, PackageMetadata, PackageType, Problem, Relationship } from './model.js';
import { packageId } from './model.js';
import { collect, readText } from './read.js';

/** What every cataloger is given besides the tree. */
export interface CatalogContext {
  /** The OS release found before catalogers run (dpkg and apk purls carry the distro). */
  os?: OsRelease;
  signal?: AbortSignal;
}

export interface CatalogResult {
  packages: Package[];
  relationships?: Relationship[];
  problems: Problem[];
}

/**
 * Finds packages of one kind. Implementers:
 * - declare every path they read in `globs` (the tree holds nothing else);
 * - never throw for bad input: a file that cannot be parsed becomes a located `Problem`;
 * - bump `version` whenever their output for the same input changes (it keys caches).
 */
export interface Cataloger {
  readonly name: string;
  readonly version: number;
  readonly globs: readonly string[];
  /**
   * Set by catalogers that find software by its files (runtimes in binaries): catalog() drops
   * their packages whose files an OS package manager (dpkg, apk) already lists as its own.
   */
  readonly skipOwnedFiles?: boolean;
  catalog(tree: FileTree, ctx: CatalogContext): Promise<CatalogResult>;
}

/** What a file parser gets: the matched entry, its text, and the tree for auxiliary reads. */
export interface ParseInput {
  entry: FileEntry;
  text: string;
  tree: FileTree;
  ctx: CatalogContext;
}

export interface ParseResult {
  packages: Package[];
  relationships?: Relationship[];
  problems?: Problem[];
}

export interface FileCatalogerOptions {
  name: string;
  version: number;
  /** Files parsed one by one. */
  globs: readonly string[];
  /** Files the parser reads through the tree as well (captured, not parsed on their own). */
  auxGlobs?: readonly string[];
  /** Byte cap for one parsed file. */
  maxBytes: number;
  /** Drops matched paths the parser should not see (e.g. package.json of test fixtures). */
  accept?: (path: string) => boolean;
  parse(input: ParseInput): Promise<ParseResult> | ParseResult;
}

/**
 * Builds the common cataloger: each file matching `globs` is read (capped) and parsed; a file that
 * fails becomes a Problem carrying its path, layer and the error's code, and the next file goes on.
 * Throws only ABORTED (when `ctx.signal` fires).
 */
export function fileCataloger(opts: FileCatalogerOptions): Cataloger {
  return {
    name: opts.name,
    version: opts.version,
    globs: [...opts.globs, ...(opts.auxGlobs ?? [])],
    async catalog(tree, ctx) {
      const entries = (await collect(tree.glob(opts.globs)))
        .filter((e) => e.kind === 'file' || e.kind === 'symlink' || e.kind === 'hardlink')
        .filter((e) => opts.accept?.(e.path) ?? true);
      return catalogEach(entries, ctx.signal, async (entry) => opts.parse({ entry, text: await readText(tree, entry, opts.maxBytes), tree, ctx }));
    },
  };
}

/**
 * Runs `each` over `entries` in path order and merges what it finds. Whatever `each` throws,
 * except ABORTED, becomes a Problem located at the entry, and the next entry goes on.
 * Throws only ABORTED (when `signal` fires).
 */
export async function catalogEach(entries: readonly FileEntry[], signal: AbortSignal | undefined, each: (entry: FileEntry) => Promise<ParseResult>): Promise<CatalogResult> {
  const out: CatalogResult = { packages: [], relationships: [], problems: [] };
  for (const entry of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    throwIfAborted(signal);
    try {
      const r = await each(entry);
      out.packages.push(...r.packages);
      out.relationships?.push(...(r.relationships ?? []));
      out.problems.push(...(r.problems ?? []));
    } catch (err) {
      if (isBosunError(err, 'ABORTED')) throw err;
      out.problems.push(problemOf(entry, err));
    }
  }
  return out;
}

/** Turns any error into a located Problem (BosunError codes kept; anything else is a parse failure). */
export function problemOf(where: { path: string; layer?: FileEntry['layer'] }, err: unknown): Problem {
  const code = isBosunError(err) ? err.code : 'SBOM_FILE_INVALID';
  const message = err instanceof Error ? err.message : String(err);
  return { path: where.path, ...(where.layer ? { layer: where.layer } : {}), code, message };
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BosunError('ABORTED', 'cataloging was cancelled', { cause: signal.reason });
}

export interface NewPackage {
  type: PackageType;
  name: string;
  version: string;
  purl: string;
  licenses?: string[];
  entry: FileEntry;
  foundBy: string;
  metadata?: PackageMetadata;
}

/** Builds a Package with its content-derived id, located at `entry`. */
export function newPackage(p: NewPackage): Package {
  const location: Location = { path: p.entry.path, ...(p.entry.layer ? { layer: p.entry.layer } : {}) };
  return {
    id: packageId({ type: p.type, name: p.name, version: p.version, path: p.entry.path }),
    name: p.name,
    version: p.version,
    type: p.type,
    purl: p.purl,
    licenses: [...new Set(p.licenses ?? [])].sort(),
    locations: [location],
    foundBy: p.foundBy,
    metadata: p.metadata ?? {},
  };
}
