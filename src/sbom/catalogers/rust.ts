import { inflateSync } from 'node:zlib';
import { PackageURL } from 'packageurl-js';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { BosunError } from '../../errors.js';
import type { FileEntry, FileTree } from '../../oci/types.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage } from '../cataloger.js';
import { sbomLimits } from '../limits.js';
import type { Package, Relationship } from '../model.js';
import { regularFile, treeSource } from './byte-source.js';
import { cachedElf } from './elf-cache.js';
import { sectionData } from './elf.js';
import { entryCataloger } from './entry-cataloger.js';
import { executableGlobs } from './go.js';

const crateName = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);
const crateVersion = z.string().regex(/^[0-9A-Za-z.+-]{1,100}$/);

/**
 * `pkg:cargo/<name>@<version>` for crates.io; another registry adds `repository_url`, a git
 * source `vcs_url` (`git+https://host/repo@<commit>`). Undefined for path crates (no source), which
 * are the project's own code.
 */
export function cargoPurl(name: string, version: string, source: string | undefined): string | undefined {
  if (!source) return undefined;
  const q: Record<string, string> = {};
  const git = /^git\+([^?#]+)(?:\?[^#]*)?(?:#([0-9a-f]+))?$/.exec(source);
  if (git?.[1]) q.vcs_url = `git+${git[1]}${git[2] ? `@${git[2]}` : ''}`;
  else if (!/^(?:registry\+https:\/\/github\.com\/rust-lang\/crates\.io-index|sparse\+https:\/\/index\.crates\.io\/?)$/.test(source)) {
    q.repository_url = source.replace(/^(?:registry|sparse)\+/, '');
  }
  return new PackageURL('cargo', undefined, name, version, Object.keys(q).length ? q : undefined, undefined).toString();
}

const lockSchema = z.object({
  version: z.number().int().optional(),
  package: z
    .array(z.object({ name: crateName, version: crateVersion, source: z.string().max(2000).optional(), dependencies: z.array(z.string().max(2000)).max(10_000).optional() }))
    .max(sbomLimits.packagesPerFile)
    .default([]),
});

const lockName = 'cargo-lock';

/**
 * Resolves a Cargo.lock dependency entry (`name`, `name version` or v1's `name version (source)`)
 * to a package index: the name alone when unique, else name and version.
 */
function resolveDep(dep: string, byName: Map<string, number[]>, versions: string[]): number | undefined {
  const [n = '', v] = dep.split(' ');
  const candidates = byName.get(n) ?? [];
  return candidates.length === 1 ? candidates[0] : candidates.find((i) => versions[i] === v);
}

function parseCargoLock({ entry, text }: ParseInput): ParseResult {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', 'Cargo.lock is not TOML', { cause: err });
  }
  const lock = lockSchema.safeParse(raw);
  if (!lock.success) throw new BosunError('SBOM_FILE_INVALID', `Cargo.lock: ${lock.error.issues[0]?.message ?? 'invalid'} at ${lock.error.issues[0]?.path.join('.')}`);
  const crates = lock.data.package;
  const pkgs = crates.map((c) => {
    const purl = cargoPurl(c.name, c.version, c.source);
    return purl ? newPackage({ type: 'cargo', name: c.name, version: c.version, purl, entry, foundBy: lockName }) : undefined;
  });
  const byName = new Map<string, number[]>();
  crates.forEach((c, i) => byName.set(c.name, [...(byName.get(c.name) ?? []), i]));
  const versions = crates.map((c) => c.version);
  const relationships: Relationship[] = [];
  crates.forEach((c, i) => {
    for (const d of c.dependencies ?? []) {
      const from = pkgs[i];
      const j = resolveDep(d, byName, versions);
      const to = j === undefined ? undefined : pkgs[j];
      if (from && to) relationships.push({ from: from.id, to: to.id, type: 'depends-on' });
    }
  });
  return { packages: pkgs.filter((p): p is Package => !!p), relationships };
}

/**
 * Cargo.lock of Rust projects (lockfile versions 1 to 4): every crate with a source (crates.io,
 * another registry, git); path crates are the project's own and are left out. `dependencies`
 * become depends-on relationships.
 */
export const cargoLockCataloger = fileCataloger({ name: lockName, version: 1, globs: ['**/Cargo.lock'], maxBytes: sbomLimits.manifestBytes, parse: parseCargoLock });

// spec: rust-secure-code/cargo-auditable, auditable-serde's VersionInfo (format of `.dep-v0`)
const auditSchema = z.object({
  packages: z
    .array(z.object({
      name: crateName,
      version: crateVersion,
      source: z.string().max(200),
      kind: z.enum(['build', 'runtime']).optional(),
      dependencies: z.array(z.number().int().nonnegative()).max(100_000).optional(),
      root: z.boolean().optional(),
    }))
    .max(sbomLimits.packagesPerFile),
});

/** Largest compressed `.dep-v0` section and its inflated JSON. */
export const auditableLimits = { maxSectionBytes: 4 * 1024 * 1024, maxJsonBytes: 16 * 1024 * 1024 } as const;

const auditName = 'cargo-auditable';

/**
 * Packages in cargo-auditable JSON; `local` crates (the binary's own workspace) are left out.
 * Throws SBOM_FILE_INVALID when the JSON does not match the format.
 */
export function auditablePackages(json: unknown, entry: FileEntry): { packages: Package[]; relationships: Relationship[] } {
  const info = auditSchema.safeParse(json);
  if (!info.success) throw new BosunError('SBOM_FILE_INVALID', `.dep-v0: ${info.error.issues[0]?.message ?? 'invalid'}`);
  const list = info.data.packages;
  const pkgs = list.map((c) => {
    if (c.source === 'local') return undefined;
    // the format names the kind of source only (`crates.io`, `git`, `registry`), never its URL
    const purl = new PackageURL('cargo', undefined, c.name, c.version, undefined, undefined).toString();
    return newPackage({ type: 'cargo', name: c.name, version: c.version, purl, entry, foundBy: auditName });
  });
  const relationships: Relationship[] = [];
  list.forEach((c, i) => {
    for (const j of c.dependencies ?? []) {
      const from = pkgs[i];
      const to = pkgs[j];
      if (from && to) relationships.push({ from: from.id, to: to.id, type: 'depends-on' });
    }
  });
  return { packages: pkgs.filter((p): p is Package => !!p), relationships };
}

async function catalogAuditable(tree: FileTree, entry: FileEntry): Promise<ParseResult> {
  const file = await regularFile(tree, entry);
  const src = treeSource(tree, file, auditableLimits.maxSectionBytes);
  let section: Buffer | undefined;
  try {
    const elf = await cachedElf(tree, entry, src);
    section = elf && (await sectionData(src, elf, '.dep-v0', `"${entry.path}"`, auditableLimits.maxSectionBytes));
  } finally {
    src.close();
  }
  if (!section) return { packages: [] };
  let json: unknown;
  try {
    json = JSON.parse(inflateSync(section, { maxOutputLength: auditableLimits.maxJsonBytes }).toString('utf8'));
  } catch (err) {
    const tooBig = err instanceof RangeError;
    throw new BosunError(tooBig ? 'LIMIT_EXCEEDED' : 'SBOM_FILE_INVALID', `"${entry.path}": .dep-v0 is ${tooBig ? 'over the inflate limit' : 'not zlib-compressed JSON'}`, { cause: err });
  }
  return auditablePackages(json, entry);
}

/**
 * Rust binaries built with `cargo auditable`: the `.dep-v0` ELF section (zlib-compressed JSON
 * listing every crate compiled in). Scans the same executables as the Go cataloger.
 */
export const cargoAuditableCataloger = entryCataloger({
  name: auditName,
  version: 1,
  globs: executableGlobs,
  catalogEntry: catalogAuditable,
});
