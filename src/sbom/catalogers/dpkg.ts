import { PackageURL } from 'packageurl-js';
import { BosunError } from '../../errors.js';
import type { FileEntry, FileTree } from '../../oci/types.js';
import type { CatalogContext, ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage, problemOf } from '../cataloger.js';
import { sbomLimits } from '../limits.js';
import type { OsRelease, Package, Problem, Relationship } from '../model.js';
import { readOptionalText } from '../read.js';
import type { Paragraph } from './deb822.js';
import { parseDeb822, parseDependsField } from './deb822.js';
import { parseDebianCopyright } from './dpkg-copyright.js';

const name = 'dpkg-db';

/** A package as the status file lists it, before it becomes a Package. */
export interface DpkgEntry {
  name: string;
  version: string;
  arch?: string;
  sourceName: string;
  sourceVersion: string;
  depends: string[][];
  provides: string[];
}

/**
 * Reads one status paragraph. Returns undefined for packages not fully installed: only
 * `install ok installed` counts, and `hold ok installed` (a held package is installed too; the
 * first word is the wanted state). Distroless status.d files may omit Status; those are installed
 * by construction. Throws SBOM_FILE_INVALID when Package or Version is missing.
 */
export function parseDpkgParagraph(p: Paragraph, requireStatus: boolean): DpkgEntry | undefined {
  const status = p.get('status');
  const isInstalled = status === undefined ? !requireStatus : /^(install|hold) ok installed$/.test(status.trim());
  if (!isInstalled) return undefined;
  const pkg = p.get('package')?.trim();
  const version = p.get('version')?.trim();
  if (!pkg || !version) throw new BosunError('SBOM_FILE_INVALID', 'a paragraph has no Package or Version field');
  const src = /^(\S+)(?:\s+\((\S+)\))?\s*$/.exec(p.get('source')?.trim() ?? '');
  const arch = p.get('architecture')?.trim();
  return {
    name: pkg,
    version,
    ...(arch ? { arch } : {}),
    sourceName: src?.[1] ?? pkg,
    sourceVersion: src?.[2] ?? version,
    depends: [...parseDependsField(p.get('pre-depends')), ...parseDependsField(p.get('depends'))],
    provides: parseDependsField(p.get('provides')).flat(),
  };
}

/** `pkg:deb/<os id>/<name>@<version>?arch=…&distro=<id>-<version>&upstream=<source>[@<version>]`. */
export function debPurl(e: DpkgEntry, os: OsRelease | undefined): string {
  const qualifiers: Record<string, string> = {};
  if (e.arch) qualifiers.arch = e.arch;
  if (os?.versionId) qualifiers.distro = `${os.id}-${os.versionId}`;
  if (e.sourceName !== e.name || e.sourceVersion !== e.version) {
    qualifiers.upstream = e.sourceVersion !== e.version ? `${e.sourceName}@${e.sourceVersion}` : e.sourceName;
  }
  return new PackageURL('deb', os?.id ?? 'debian', e.name, e.version, qualifiers, undefined).toString();
}

async function ownedFiles(tree: FileTree, e: DpkgEntry): Promise<string[] | undefined> {
  const paths = e.arch && e.arch !== 'all' ? [`${e.name}:${e.arch}.list`, `${e.name}.list`] : [`${e.name}.list`];
  for (const p of paths) {
    const text = await readOptionalText(tree, `/var/lib/dpkg/info/${p}`, sbomLimits.auxBytes);
    if (text !== undefined) {
      return text.split('\n').filter((l) => l && l !== '/.').slice(0, sbomLimits.filesPerPackage);
    }
  }
  return undefined;
}

async function licensesOf(tree: FileTree, pkg: string, problems: Problem[]): Promise<string[]> {
  const path = `/usr/share/doc/${pkg}/copyright`;
  try {
    const text = await readOptionalText(tree, path, sbomLimits.auxBytes);
    return text === undefined ? [] : parseDebianCopyright(text);
  } catch (err) {
    const entry = await tree.stat(path);
    problems.push(problemOf({ path, ...(entry?.layer ? { layer: entry.layer } : {}) }, err));
    return [];
  }
}

async function toPackage(e: DpkgEntry, entry: FileEntry, tree: FileTree, ctx: CatalogContext, problems: Problem[]): Promise<Package> {
  const files = await ownedFiles(tree, e);
  const epoch = /^(\d+):/.exec(e.version)?.[1];
  return newPackage({
    type: 'deb',
    name: e.name,
    version: e.version,
    purl: debPurl(e, ctx.os),
    licenses: await licensesOf(tree, e.name, problems),
    entry,
    foundBy: name,
    metadata: {
      sourceName: e.sourceName,
      sourceVersion: e.sourceVersion,
      ...(e.arch ? { arch: e.arch } : {}),
      ...(epoch ? { epoch: Number(epoch) } : {}),
      ...(files ? { files } : {}),
    },
  });
}

/** DEPENDS_ON edges to installed packages: the first installed alternative of each group. */
export function dpkgRelationships(entries: readonly DpkgEntry[], pkgs: readonly Package[]): Relationship[] {
  const byName = new Map<string, Package>();
  entries.forEach((e, i) => byName.set(e.name, pkgs[i] as Package));
  entries.forEach((e, i) => e.provides.forEach((p) => byName.has(p) || byName.set(p, pkgs[i] as Package)));
  const out: Relationship[] = [];
  entries.forEach((e, i) => {
    for (const group of e.depends) {
      const target = group.map((n) => byName.get(n)).find(Boolean);
      if (target && target !== pkgs[i]) out.push({ from: (pkgs[i] as Package).id, to: target.id, type: 'depends-on' });
    }
  });
  return out;
}

async function parse({ entry, text, tree, ctx }: ParseInput): Promise<ParseResult> {
  const problems: Problem[] = [];
  const isStatusD = entry.path.includes('/status.d/');
  const entries: DpkgEntry[] = [];
  for (const para of parseDeb822(text)) {
    try {
      const e = parseDpkgParagraph(para, !isStatusD);
      if (e) entries.push(e);
    } catch (err) {
      problems.push(problemOf(entry, err));
    }
  }
  const packages: Package[] = [];
  for (const e of entries) packages.push(await toPackage(e, entry, tree, ctx, problems));
  return { packages, relationships: dpkgRelationships(entries, packages), problems: problems.slice(0, 100) };
}

/** Debian packages from dpkg's status database, and distroless images' `status.d/` files. */
export const dpkgCataloger = fileCataloger({
  name,
  version: 1,
  globs: ['/var/lib/dpkg/status', '/var/lib/dpkg/status.d/*'],
  auxGlobs: ['/var/lib/dpkg/info/*.list', '/usr/share/doc/*/copyright'],
  maxBytes: sbomLimits.databaseBytes,
  // distroless writes `<pkg>.md5sums` beside each `<pkg>` paragraph file
  accept: (path) => !path.endsWith('.md5sums'),
  parse,
});
