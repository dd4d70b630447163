// bosun's stable library API. Each area exports its own explicit list from its index.ts;
// this file re-exports those lists (and nothing internal).

export { BosunError, codes, isBosunError, redactUrl, type ErrorCode } from './errors.js';
export * from './oci/index.js';
export * from './sbom/index.js';
export * from './sign/index.js';
export * from './policy/index.js';
export type { Advisory, AdvisoryQuery, AdvisorySource, Affected, AffectedRange, RangeEvent, Severity } from './vuln/advisory.js';
export { bosunVersion } from './version.js';
export * from './registry/index.js';
export { compareVersions, comparatorFor, comparators, InvalidVersionError, MAX_VERSION_LENGTH, type Comparator, type Ecosystem } from './vuln/versions/index.js';
export {
  defaultDbDir, dbStatus, decodeOsv, importDatabase, normalizeName, openDatabase, splitEcosystem, SqliteAdvisorySource, updateDatabase,
  type DbStatus, type OpenDatabaseOptions, type OpenedDatabase, type UpdateOptions, type UpdateReport,
} from './vuln/db/index.js';
export * from './sign/oci/index.js';
export * from './admission/index.js';
export { match, type Finding, type MatchResult } from './vuln/match/index.js';
export { runScan, scanSbom, type ScanReport } from './vuln/scan/index.js';
