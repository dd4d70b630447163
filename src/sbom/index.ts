export type { Location, OsRelease, Package, PackageMetadata, PackageType, Problem, Relationship, Sbom, SbomSource } from './model.js';
export { packageTypes } from './model.js';
export type { Cataloger, CatalogContext, CatalogResult, FileCatalogerOptions, ParseInput, ParseResult } from './cataloger.js';
export { fileCataloger } from './cataloger.js';
export type { CatalogOptions } from './catalog.js';
export { catalog, catalogGlobs } from './catalog.js';
export {
  defaultCatalogers, apkCataloger, cargoAuditableCataloger, cargoLockCataloger, dotnetDepsCataloger, dpkgCataloger, goBinaryCataloger,
  goModCataloger, javaCataloger, npmInstalledCataloger, npmLockCataloger, phpComposerLockCataloger, phpInstalledCataloger,
  pipfileLockCataloger, pnpmLockCataloger, poetryLockCataloger, pythonCataloger, pythonRequirementsCataloger, rpmCataloger,
  rubyGemfileLockCataloger, rubyInstalledCataloger, runtimeCataloger, uvLockCataloger, yarnLockCataloger,
} from './catalogers/index.js';
export { findOsRelease, parseOsRelease } from './catalogers/os-release.js';
export { toSpdxExpression } from './license.js';
export type { SbomCodec, SbomWriter, WriteOptions } from './codecs/common.js';
export { codecFor, readSbom, sbomCodecs, sbomWriters, writerFor } from './codecs/index.js';
export { bosunJson, bosunJsonSchemaVersion, toBosunJson } from './codecs/bosun-json.js';
export type { GenerateSbomOptions, GeneratedSbom, SbomTarget } from './generate.js';
export { generateSbom } from './generate.js';
export type { SbomOutput } from './outputs.js';
export { parseOutputs, writeOutputs } from './outputs.js';
export { spdxJson, toSpdx } from './codecs/spdx.js';
export { readSpdx } from './codecs/spdx-read.js';
export { cycloneDxJson, toCycloneDx } from './codecs/cyclonedx.js';
export { readCycloneDx } from './codecs/cyclonedx-read.js';
