export { auditLog, type AuditConfig } from './audit-log.js';
export { assertIntact, auditEntries, auditFormats, exportAuditLog, verifyAuditLog, type AuditFormat, type AuditVerification } from './audit-export.js';
export type { AuditQuery, AuditStore } from './audit-store.js';
export { auditRecordOf, AuditWriter, type AuditWriterOptions } from './audit-writer.js';
export { canonicalBytes, chainRecords, ChainVerifier, entryHash, GENESIS_HASH, type AuditEntry, type AuditRecord, type ChainBreak } from './chain.js';
export { runAudit, type RunAuditOptions } from './run-audit.js';
export { PostgresAuditStore } from './postgres-audit-store.js';
export { SqliteAuditStore } from './sqlite-audit-store.js';
