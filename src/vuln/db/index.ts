/** The vulnerability database: OSV import, SQLite storage, update from a mirror, staleness. */
export { DB_FILE, buildDatabase, defaultDbDir, type BuildContext, type BuildOptions } from './build.js';
export { normalizeName, normalizeRelease, splitEcosystem, type EcosystemKey } from './ecosystem.js';
export { importOsv, type ImportInput, type ImportOptions, type ImportProblem, type ImportReport } from './import.js';
export { DEFAULT_MAX_AGE_MS, openDatabase, type OpenDatabaseOptions, type OpenedDatabase } from './open.js';
export { decodeOsv, defaultOsvLimits, type OsvLimits } from './osv.js';
export { SCHEMA_VERSION } from './schema.js';
export { SqliteAdvisorySource } from './sqlite-source.js';
export { dbStatus, type DbStatus, type EcosystemCount } from './status.js';
export {
  DEFAULT_DB_REPOSITORY,
  DEFAULT_ECOSYSTEMS,
  importDatabase,
  repositoryUrl,
  updateDatabase,
  type ImportDatabaseOptions,
  type SourceUpdate,
  type UpdateOptions,
  type UpdateReport,
} from './update.js';
export type { AdvisoryWriter, SourceRecord } from './writer.js';
