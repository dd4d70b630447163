import { createHash } from 'node:crypto';
import type { ErrorCode } from '../errors.js';
import type { Digest } from '../oci/digest.js';

/**
 * PURL types (the purl spec's names). bosun's catalogers produce deb, apk, npm and pypi; the rest
 * arrive in SBOMs read from other tools.
 */
export const packageTypes = [
  'apk', 'bitnami', 'cargo', 'cocoapods', 'composer', 'conan', 'conda', 'deb', 'gem', 'generic', 'github',
  'golang', 'hackage', 'hex', 'maven', 'npm', 'nuget', 'pub', 'pypi', 'rpm', 'swift',
] as const;
export type PackageType = (typeof packageTypes)[number];

/** Where a package was found: an absolute path in the tree and, for images, the layer's diffID. */
export interface Location {
  path: string;
  layer?: Digest;
}

/** Ecosystem facts a cataloger knows; every field optional, names follow the ecosystem's own. */
export interface PackageMetadata {
  /** The source package (deb `Source:`, apk `o:` origin) and its version when it differs. */
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  /** Debian epoch (the `N:` prefix of the version), as a number. */
  epoch?: number;
  /** apk `c:` git commit of the aports tree. */
  commit?: string;
  /** npm: only a devDependency of the project (from a lockfile). */
  isDev?: boolean;
  /** Files the package manager says the package owns (dpkg .list, apk F/R, Python RECORD). */
  files?: string[];
  /** The license text as the package declares it, before normalisation. */
  rawLicense?: string;
  /** rpm VENDOR tag. */
  vendor?: string;
  /** rpm MODULARITYLABEL (`name:stream:version:context` of the module the package came from). */
  modularityLabel?: string;
  /** Installed size in bytes as the package database records it (rpm SIZE/LONGSIZE). */
  installedSize?: number;
  /** Go: required only `// indirect` (a dependency of a dependency) in go.mod. */
  isIndirect?: boolean;
}

/** One installed package. `id` is derived from content, so it is stable across runs. */
export interface Package {
  id: string;
  name: string;
  version: string;
  type: PackageType;
  purl: string;
  /** SPDX license expressions (one per declared license, deduplicated, sorted). */
  licenses: string[];
  locations: Location[];
  /** The cataloger's name. */
  foundBy: string;
  metadata: PackageMetadata;
}

/** `depends-on` links two package ids; `contains` links the source (`from: 'root'`) to a package. */
export interface Relationship {
  from: string;
  to: string;
  type: 'contains' | 'depends-on';
}

/** spec: os-release(5). */
export interface OsRelease {
  id: string;
  versionId?: string;
  versionCodename?: string;
  prettyName?: string;
  idLike?: string[];
}

/** What was scanned. */
export interface SbomSource {
  /** `document` when the SBOM was read from SPDX or CycloneDX rather than built from a tree. */
  kind: 'image' | 'directory' | 'document';
  /** The reference or path the user gave. */
  name: string;
  /** The image manifest digest, for images. */
  digest?: Digest;
}

/** A bad input that did not stop the scan. */
export interface Problem {
  path: string;
  layer?: Digest;
  code: ErrorCode;
  message: string;
}

/** bosun's one SBOM model; codecs translate it to and from SPDX and CycloneDX. */
export interface Sbom {
  source: SbomSource;
  os?: OsRelease;
  packages: Package[];
  relationships: Relationship[];
  problems: Problem[];
}

/** A content-derived package id: 16 hex of sha256 over type, name, version and first path. */
export function packageId(p: Pick<Package, 'type' | 'name' | 'version'> & { path: string }): string {
  const h = createHash('sha256').update(`${p.type}\0${p.name}\0${p.version}\0${p.path}`).digest('hex');
  return h.slice(0, 16);
}
