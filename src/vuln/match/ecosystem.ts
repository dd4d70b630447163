import { PackageURL } from 'packageurl-js';
import type { OsRelease, Package, PackageType } from '../../sbom/model.js';
import { normalizeName as normalizeStoredName } from '../db/ecosystem.js';

/** Where the matcher looks a package up: the OSV base ecosystem, release, normalised name and version. */
export interface PackageQuery {
  ecosystem: string;
  release?: string;
  name: string;
  version: string;
  /** Set when the query uses the source package (deb Source:, apk origin, source rpm). */
  isSource: boolean;
}

/** Package types installed by an OS package manager (`--pkg-types os`); everything else is `library`. */
export const osPackageTypes: ReadonlySet<PackageType> = new Set(['deb', 'apk', 'rpm']);

/** OSV ecosystems of the distributions bosun knows, by os-release ID. */
const distroEcosystem: Readonly<Record<string, string>> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  alpine: 'Alpine',
  rhel: 'Red Hat',
  almalinux: 'AlmaLinux',
  rocky: 'Rocky Linux',
};

const languageEcosystem: Readonly<Partial<Record<PackageType, string>>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  gem: 'RubyGems',
  cargo: 'crates.io',
  nuget: 'NuGet',
  composer: 'Packagist',
  hex: 'Hex',
  pub: 'Pub',
};

/**
 * The OSV ecosystem and release suffix for an OS release: `Debian` + `12`, `Ubuntu` + `22.04`,
 * `Alpine` + `v3.19`, `Red Hat` + `9`. Undefined for an unknown distribution or missing VERSION_ID.
 * spec: osv-schema "Defined ecosystems" (release suffix forms per distribution).
 */
export function osEcosystem(os: OsRelease | undefined): { ecosystem: string; release: string } | undefined {
  if (!os) return undefined;
  const ecosystem = distroEcosystem[os.id] ?? os.idLike?.map((id) => distroEcosystem[id]).find((e) => e !== undefined);
  const v = os.versionId;
  if (!ecosystem || !v) return undefined;
  switch (ecosystem) {
    case 'Alpine': {
      const [major, minor] = v.split('.');
      return { ecosystem, release: `v${major}.${minor ?? '0'}` };
    }
    case 'Ubuntu':
      return { ecosystem, release: v };
    default:
      return { ecosystem, release: v.split('.')[0]! };
  }
}

/**
 * A package name as its ecosystem compares names. One rule set for the whole scanner: the
 * database indexes advisories with the same function (src/vuln/db/ecosystem.ts), so a query and
 * a stored name can never be normalised differently. Release suffixes (`Debian:12`) are ignored.
 */
export function normalizeName(ecosystem: string, name: string): string {
  return normalizeStoredName(ecosystem.split(':', 1)[0]!, name);
}

/** purl qualifier `upstream=name[@version]` (syft's and bosun's spelling of a deb/apk source). */
function upstreamOf(purl: string): { name: string; version?: string } | undefined {
  try {
    const up = PackageURL.fromString(purl).qualifiers?.upstream;
    if (!up) return undefined;
    const at = up.indexOf('@');
    return at < 0 ? { name: up } : { name: up.slice(0, at), version: up.slice(at + 1) };
  } catch {
    return undefined;
  }
}

/**
 * `group:artifact` for Maven, the module path for Go, from the purl. npm names come from the
 * package itself: purls lowercase them, but legacy npm names (`JSONStream`) are case-sensitive and
 * advisories spell them as published.
 */
function languageName(p: Package): string {
  if (p.type === 'npm') return p.name;
  try {
    const u = PackageURL.fromString(p.purl);
    if (p.type === 'maven' && u.namespace) return `${u.namespace}:${u.name}`;
    if (p.type === 'golang') return u.namespace ? `${u.namespace}/${u.name}` : u.name;
    return u.name;
  } catch {
    return p.name;
  }
}

/**
 * How to look a package up. OS packages use their distribution's ecosystem and the source package
 * (Debian/Ubuntu advisories name source packages and source versions; Alpine names the origin).
 * rpm distributions differ: Red Hat's data names source rpms, AlmaLinux's and Rocky's errata name
 * binary rpms, so an rpm with a source rpm is looked up both ways, source first (the caller keeps
 * one finding per vulnerability). Empty when bosun has no ecosystem for the package (or the OS is
 * unknown).
 */
export function queriesFor(p: Package, os: { ecosystem: string; release: string } | undefined): PackageQuery[] {
  if (osPackageTypes.has(p.type)) {
    if (!os) return [];
    const up = upstreamOf(p.purl);
    const sourceName = p.metadata.sourceName ?? up?.name;
    let sourceVersion = p.metadata.sourceVersion ?? up?.version;
    // A source rpm's file name has no epoch, but the binaries built from it carry the source's
    // epoch; without it 1:3.0.7 would compare below 3.0.8 and raise a false finding.
    if (p.type === 'rpm' && sourceVersion !== undefined && p.metadata.epoch !== undefined) sourceVersion = `${String(p.metadata.epoch)}:${sourceVersion}`;
    const name = sourceName ?? p.name;
    // apk origins share the binary's version; deb and rpm sources can differ (binNMUs, +bN)
    const version = p.type === 'apk' ? p.version : (sourceVersion ?? p.version);
    const base = { ecosystem: os.ecosystem, release: os.release };
    const primary = { ...base, name, version, isSource: name !== p.name || version !== p.version };
    if (p.type !== 'rpm' || !primary.isSource) return [primary];
    return [primary, { ...base, name: p.name, version: p.version, isSource: false }];
  }
  const ecosystem = languageEcosystem[p.type];
  if (!ecosystem) return [];
  // OSV writes Go versions bare; module versions carry "v" and the toolchain's stdlib "go" (go1.21.3)
  const version = p.type === 'golang' ? p.version.replace(/^(v|go)(?=\d)/, '') : p.version;
  return [{ ecosystem, name: normalizeName(ecosystem, languageName(p)), version, isSource: false }];
}
