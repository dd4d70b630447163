import path from 'node:path';
import { PackageURL } from 'packageurl-js';
import { BosunError, isBosunError } from '../../errors.js';
import type { FileEntry, FileTree } from '../../oci/types.js';
import type { CatalogResult } from '../cataloger.js';
import { newPackage, problemOf } from '../cataloger.js';
import type { Package, Problem } from '../model.js';
import type { ByteSource } from './byte-source.js';
import { bufferSource, regularFile, treeSource } from './byte-source.js';
import { entryCataloger } from './entry-cataloger.js';
import type { MavenCoordinates } from './java-meta.js';
import { fileNameParts, manifestCoordinates, parseManifest, pomCoordinates } from './java-meta.js';
import type { ZipEntry } from './zip.js';
import { readZipDirectory, readZipEntry } from './zip.js';

const name = 'java-archive';

/** Caps for one archive on disk and everything nested in it. */
export const javaLimits = {
  /** Archives inside archives (`app.war!/WEB-INF/lib/x.jar` is depth 1). */
  maxDepth: 3,
  /** Central directory records over the archive and its nested archives. */
  maxEntries: 200_000,
  maxDirectoryBytes: 32 * 1024 * 1024,
  /** One nested archive, inflated into memory. */
  maxNestedBytes: 64 * 1024 * 1024,
  /** Everything inflated for one archive on disk (nested archives and metadata). */
  maxInflatedBytes: 512 * 1024 * 1024,
  /** pom.properties and MANIFEST.MF. */
  maxMetadataBytes: 1024 * 1024,
} as const;

const archiveExt = /\.(?:jar|war|ear|jpi|hpi)$/i;
const pomProperties = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;

/** What one archive on disk shares with everything nested in it. */
interface Walk {
  entry: FileEntry;
  budget: { entries: number; inflated: number };
  found: Map<string, { c: MavenCoordinates; virtualPath: string }>;
  problems: Problem[];
}

function key(c: MavenCoordinates): string {
  return `${c.groupId}:${c.artifactId}:${c.version}`;
}

function add(w: Walk, c: MavenCoordinates, virtualPath: string): void {
  if (!w.found.has(key(c))) w.found.set(key(c), { c, virtualPath });
}

async function inflate(w: Walk, src: ByteSource, e: ZipEntry, what: string, max: number): Promise<Buffer> {
  if (w.budget.inflated + e.size > javaLimits.maxInflatedBytes) {
    throw new BosunError('LIMIT_EXCEEDED', `${what}!/${e.name}: the archive inflates past its ${javaLimits.maxInflatedBytes}-byte total limit`);
  }
  const buf = await readZipEntry(src, e, what, max);
  w.budget.inflated += buf.length;
  return buf;
}

/**
 * Reads one archive: every `META-INF/maven/<g>/<a>/pom.properties` is a package (so shaded jars
 * report what they contain); the archive's own identity comes from its manifest, else its file
 * name, unless a pom.properties already named that artifact; nested archives are walked below
 * `javaLimits.maxDepth`. Entries are read in file order so a streamed source is passed once.
 */
async function walkArchive(w: Walk, src: ByteSource, virtualPath: string, depth: number): Promise<void> {
  const entries = await readZipDirectory(src, virtualPath, { maxEntries: javaLimits.maxEntries - w.budget.entries, maxDirectoryBytes: javaLimits.maxDirectoryBytes });
  w.budget.entries += entries.length;
  const wanted = entries
    .filter((e) => pomProperties.test(e.name) || e.name === 'META-INF/MANIFEST.MF' || (archiveExt.test(e.name) && !e.name.endsWith('/')))
    .sort((a, b) => a.localOffset - b.localOffset);
  const poms: MavenCoordinates[] = [];
  let manifest: Map<string, string> | undefined;
  for (const e of wanted) {
    const where = `${virtualPath}!/${e.name}`;
    try {
      if (archiveExt.test(e.name)) {
        if (depth >= javaLimits.maxDepth) throw new BosunError('LIMIT_EXCEEDED', `${where}: nested deeper than ${javaLimits.maxDepth} archives`);
        const inner = await inflate(w, src, e, virtualPath, javaLimits.maxNestedBytes);
        await walkArchive(w, bufferSource(inner, where), where, depth + 1);
        continue;
      }
      const text = (await inflate(w, src, e, virtualPath, javaLimits.maxMetadataBytes)).toString('utf8');
      if (e.name === 'META-INF/MANIFEST.MF') manifest = parseManifest(text);
      else poms.push(pomCoordinates(text));
    } catch (err) {
      if (isBosunError(err, 'ABORTED')) throw err;
      const p = problemOf(w.entry, err);
      w.problems.push(p.message.includes(virtualPath) ? p : { ...p, message: `${where}: ${p.message}` });
    }
  }
  for (const c of poms) add(w, c, virtualPath);
  const own = ownIdentity(path.posix.basename(virtualPath), manifest);
  const named = poms.length === 1 || poms.some((p) => p.artifactId === own?.artifactId);
  if (own && !named) add(w, own, virtualPath);
}

/** The archive's own coordinates: its manifest, else `name-1.2.3.jar`. */
function ownIdentity(fileName: string, manifest: Map<string, string> | undefined): MavenCoordinates | undefined {
  const parts = fileNameParts(fileName);
  const fromManifest = manifest ? manifestCoordinates(manifest, parts?.artifactId) : undefined;
  if (fromManifest) return fromManifest;
  if (parts?.version) return { groupId: parts.artifactId, artifactId: parts.artifactId, version: parts.version, from: 'file name' };
  return undefined;
}

function toPackage(entry: FileEntry, c: MavenCoordinates, virtualPath: string): Package {
  const purl = new PackageURL('maven', c.groupId, c.artifactId, c.version, undefined, undefined).toString();
  const nested = virtualPath.includes('!/') ? { virtualPath } : {};
  return newPackage({ type: 'maven', name: c.artifactId, version: c.version, purl, entry, foundBy: name, metadata: { ...nested } });
}

async function catalogArchive(tree: FileTree, entry: FileEntry): Promise<CatalogResult> {
  const w: Walk = { entry, budget: { entries: 0, inflated: 0 }, found: new Map(), problems: [] };
  const src = treeSource(tree, await regularFile(tree, entry), javaLimits.maxNestedBytes);
  try {
    await walkArchive(w, src, entry.path, 0);
  } finally {
    src.close();
  }
  return { packages: [...w.found.values()].map((f) => toPackage(entry, f.c, f.virtualPath)), problems: w.problems };
}

/**
 * Java archives (jar, war, ear, and Jenkins plugins jpi/hpi), nested archives included: one
 * `pkg:maven/<groupId>/<artifactId>@<version>` per pom.properties, plus the archive's own identity
 * from MANIFEST.MF or its file name when no pom.properties names it. A damaged archive or entry
 * is a Problem; the rest goes on.
 */
export const javaCataloger = entryCataloger({
  name,
  version: 1,
  globs: ['**/*.jar', '**/*.war', '**/*.ear', '**/*.jpi', '**/*.hpi'],
  catalogEntry: catalogArchive,
});
