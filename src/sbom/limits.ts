/** Caps on what catalogers read into memory. Larger files become LIMIT_EXCEEDED problems. */
export const sbomLimits = {
  /** Package databases (dpkg status, apk installed): big images reach a few MiB. */
  databaseBytes: 64 * 1024 * 1024,
  /** Manifests and metadata files (package.json, METADATA, os-release, lockfiles). */
  manifestBytes: 16 * 1024 * 1024,
  /** Auxiliary files (dpkg .list, copyright, RECORD). */
  auxBytes: 8 * 1024 * 1024,
  /** Packages one file may declare. */
  packagesPerFile: 200_000,
  /** SBOM documents read by the codecs, and the packages and nesting depth they may have. */
  documentBytes: 256 * 1024 * 1024,
  documentPackages: 500_000,
  documentDepth: 32,
  /** Owned files recorded per package. */
  filesPerPackage: 100_000,
} as const;
