import path from 'node:path';
import { PackageURL } from 'packageurl-js';
import { BosunError, isBosunError } from '../../errors.js';
import type { FileEntry, FileTree } from '../../oci/types.js';
import type { CatalogContext, CatalogResult, Cataloger } from '../cataloger.js';
import { newPackage, problemOf, throwIfAborted } from '../cataloger.js';
import { toSpdxExpression } from '../license.js';
import { sbomLimits } from '../limits.js';
import type { OsRelease, Package, Problem, Relationship } from '../model.js';
import { readBytes } from '../read-bytes.js';
import { collect } from '../read.js';
import { readBdbRecords } from './rpm-bdb.js';
import type { RpmHeader } from './rpm-header.js';
import { parseRpmHeader } from './rpm-header.js';
import { readNdbRecords } from './rpm-ndb.js';
import { readSqliteRecords } from './rpm-sqlite.js';

const name = 'rpm-db';

/** Where each storage format lives (Fedora 36+ moved the database to /usr/lib/sysimage/rpm). */
const formats = {
  sqlite: ['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite'],
  bdb: ['/var/lib/rpm/Packages', '/usr/lib/sysimage/rpm/Packages'],
  ndb: ['/var/lib/rpm/Packages.db', '/usr/lib/sysimage/rpm/Packages.db'],
} as const;
type Format = keyof typeof formats;

/** Problems recorded per database file; past this a damaged file reports one summary. */
const maxProblemsPerFile = 50;

/** purl namespaces by os-release ID, then by a VENDOR tag pattern (the purl spec's rpm examples). */
const osNamespaces: Readonly<Record<string, string>> = {
  rhel: 'redhat', centos: 'centos', fedora: 'fedora', opensuse: 'opensuse', 'opensuse-leap': 'opensuse',
  'opensuse-tumbleweed': 'opensuse', sles: 'suse', sled: 'suse', amzn: 'amazon', ol: 'oracle',
  rocky: 'rocky', almalinux: 'almalinux',
};
const vendorNamespaces: readonly (readonly [RegExp, string])[] = [
  [/red ?hat/i, 'redhat'], [/centos/i, 'centos'], [/fedora/i, 'fedora'], [/opensuse/i, 'opensuse'], [/suse/i, 'suse'],
  [/amazon/i, 'amazon'], [/oracle/i, 'oracle'], [/rocky/i, 'rocky'], [/alma/i, 'almalinux'],
];

/** The purl namespace: the OS's vendor when known, else the package's VENDOR tag, else the OS id. */
export function rpmNamespace(h: Pick<RpmHeader, 'vendor'>, os: OsRelease | undefined): string | undefined {
  const byOs = os ? osNamespaces[os.id] : undefined;
  if (byOs) return byOs;
  const byVendor = vendorNamespaces.find(([re]) => re.test(h.vendor ?? ''))?.[1];
  return byVendor ?? os?.id;
}

/** `glibc-2.17-222.el7.src.rpm` → name `glibc`, version `2.17-222.el7`. */
export function splitSourceRpm(srpm: string): { name: string; version: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(srpm);
  return m?.[1] && m[2] && m[3] ? { name: m[1], version: `${m[2]}-${m[3]}` } : undefined;
}

/** `pkg:rpm/<namespace>/<name>@<version>-<release>?arch=…&epoch=…&distro=<id>-<version>&upstream=<srpm>`. */
export function rpmPurl(h: RpmHeader, os: OsRelease | undefined): string {
  const q: Record<string, string> = {};
  if (h.arch) q.arch = h.arch;
  if (h.epoch !== undefined) q.epoch = String(h.epoch);
  if (os?.versionId) q.distro = `${os.id}-${os.versionId}`;
  if (h.sourceRpm) q.upstream = h.sourceRpm;
  return new PackageURL('rpm', rpmNamespace(h, os), h.name, `${h.version}-${h.release}`, q, undefined).toString();
}

function toPackage(h: RpmHeader, entry: FileEntry, os: OsRelease | undefined): Package {
  const license = h.license ? toSpdxExpression(h.license) : undefined;
  const src = h.sourceRpm ? splitSourceRpm(h.sourceRpm) : undefined;
  return newPackage({
    type: 'rpm', name: h.name, version: `${h.epoch !== undefined ? `${h.epoch}:` : ''}${h.version}-${h.release}`,
    purl: rpmPurl(h, os), entry, foundBy: name, licenses: license ? [license] : [],
    metadata: {
      ...(src ? { sourceName: src.name, sourceVersion: src.version } : {}),
      ...(h.arch ? { arch: h.arch } : {}),
      ...(h.epoch !== undefined ? { epoch: h.epoch } : {}),
      ...(h.license ? { rawLicense: h.license } : {}),
      ...(h.vendor ? { vendor: h.vendor } : {}),
      ...(h.modularityLabel ? { modularityLabel: h.modularityLabel } : {}),
      ...(h.size !== undefined ? { installedSize: h.size } : {}),
      files: h.files,
    },
  });
}

/** `Requires` resolved to the installed package that provides the capability or owns the file. */
function relationships(headers: readonly RpmHeader[], pkgs: readonly Package[]): Relationship[] {
  const by = new Map<string, Package>();
  headers.forEach((h, i) => [h.name, ...h.provides, ...h.files].forEach((cap) => by.has(cap) || by.set(cap, pkgs[i] as Package)));
  const seen = new Set<string>();
  return headers.flatMap((h, i) => {
    const from = pkgs[i] as Package;
    return h.requires
      .map((r) => by.get(r))
      .filter((to): to is Package => to !== undefined && to !== from && !seen.has(`${from.id}>${to.id}`) && !!seen.add(`${from.id}>${to.id}`))
      .map((to) => ({ from: from.id, to: to.id, type: 'depends-on' as const }));
  });
}

async function records(tree: FileTree, entry: FileEntry, format: Format): Promise<({ blob: Buffer } | { error: BosunError })[]> {
  const raw = await readBytes(tree, entry, sbomLimits.databaseBytes);
  if (format === 'bdb') return readBdbRecords(raw);
  if (format === 'ndb') return readNdbRecords(raw);
  const walEntry = await tree.stat(`${entry.path}-wal`);
  const wal = walEntry?.kind === 'file' && walEntry.size > 0 ? await readBytes(tree, walEntry, sbomLimits.databaseBytes) : undefined;
  return readSqliteRecords(raw, wal);
}

/** Parses every header of one database file; damaged records become (capped) problems. */
async function catalogFile(tree: FileTree, entry: FileEntry, format: Format, ctx: CatalogContext): Promise<CatalogResult> {
  const headers: RpmHeader[] = [];
  const errors: BosunError[] = [];
  for (const r of await records(tree, entry, format)) {
    if ('error' in r) { errors.push(r.error); continue; }
    try {
      const h = parseRpmHeader(r.blob);
      // imported signing keys are pseudo-packages with no files, not software
      if (h.name !== 'gpg-pubkey') headers.push(h);
    } catch (err) {
      errors.push(err instanceof BosunError ? err : new BosunError('SBOM_FILE_INVALID', String(err)));
    }
  }
  const problems: Problem[] = errors.slice(0, maxProblemsPerFile).map((e) => problemOf(entry, e));
  if (errors.length > maxProblemsPerFile) {
    problems.push(problemOf(entry, new BosunError('SBOM_FILE_INVALID', `${errors.length - maxProblemsPerFile} more damaged records`)));
  }
  const packages = headers.map((h) => toPackage(h, entry, ctx.os));
  return { packages, relationships: relationships(headers, packages), problems };
}

function formatOf(p: string): Format {
  const base = path.posix.basename(p);
  return base === 'rpmdb.sqlite' ? 'sqlite' : base === 'Packages' ? 'bdb' : 'ndb';
}

/**
 * Installed rpm packages from the rpm database in any of its three storage formats: SQLite
 * (`rpmdb.sqlite`, rpm 4.16+), Berkeley DB hash (`Packages`, RHEL/CentOS ≤ 8, Amazon Linux 2) and
 * NDB (`Packages.db`, SUSE), under `/var/lib/rpm` or `/usr/lib/sysimage/rpm`. Each file's
 * damaged records become problems; the rest are still listed. Throws only ABORTED.
 */
export const rpmCataloger: Cataloger = {
  name,
  version: 1,
  globs: [...formats.sqlite, ...formats.sqlite.map((p) => `${p}-wal`), ...formats.bdb, ...formats.ndb],
  async catalog(tree, ctx) {
    const all = [...formats.sqlite, ...formats.bdb, ...formats.ndb];
    const entries = (await collect(tree.glob(all))).filter((e) => e.kind === 'file' || e.kind === 'symlink' || e.kind === 'hardlink');
    const out: Required<CatalogResult> = { packages: [], relationships: [], problems: [] };
    for (const entry of entries.sort((a, b) => (a.path < b.path ? -1 : 1))) {
      throwIfAborted(ctx.signal);
      try {
        const r = await catalogFile(tree, entry, formatOf(entry.path), ctx);
        out.packages.push(...r.packages);
        out.relationships.push(...(r.relationships ?? []));
        out.problems.push(...r.problems);
      } catch (err) {
        if (isBosunError(err, 'ABORTED')) throw err;
        out.problems.push(problemOf(entry, err));
      }
    }
    return out;
  },
};
