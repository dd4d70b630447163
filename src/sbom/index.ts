export type { Location, OsRelease, Package, PackageMetadata, PackageType, Problem, Relationship, Sbom, SbomSource } from './model.js';
export { packageTypes } from './model.js';
export type { Cataloger, CatalogContext, CatalogResult, FileCatalogerOptions, ParseInput, ParseResult } from './cataloger.js';
export { fileCataloger } from './cataloger.js';
export type { CatalogOptions } from './catalog.js';
export { catalog, catalogGlobs } from './catalog.js';
export { defaultCatalogers, apkCataloger, dpkgCataloger, npmInstalledCataloger, npmLockCataloger, pnpmLockCataloger, pythonCataloger, yarnLockCataloger } from './catalogers/index.js';
export { findOsRelease, parseOsRelease } from './catalogers/os-release.js';
export { toSpdxExpression } from './license.js';
export type { SbomCodec, SbomWriter, WriteOptions } from './codecs/common.js';
export { codecFor, readSbom, sbomCodecs } from './codecs/index.js';
export { spdxJson, toSpdx } from './codecs/spdx.js';
export { readSpdx } from './codecs/spdx-read.js';
export { cycloneDxJson, toCycloneDx } from './codecs/cyclonedx.js';
export { readCycloneDx } from './codecs/cyclonedx-read.js';
export {
  dotnetDepsCataloger, goModCataloger, phpComposerLockCataloger, phpInstalledCataloger, pipfileLockCataloger, poetryLockCataloger,
  pythonRequirementsCataloger, rpmCataloger, rubyGemfileLockCataloger, rubyInstalledCataloger, uvLockCataloger,
} from './catalogers/index.js';
