import type { RegistryExtension } from '../app.js';
import { sqliteDatabaseOf } from '../feature-stores.js';
import type { AuditStore } from './audit-store.js';
import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import { auditRecordOf, AuditWriter } from './audit-writer.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';

/** registry.yaml `audit:` (see config.ts for defaults). */
export interface AuditConfig {
  enabled: boolean;
  flushMs: number;
  batchSize: number;
  maxPending: number;
}

/**
 * The audit-log feature: every push, pull, delete, login and denial event becomes a
 * hash-chained entry in meta.db, written in batches (AuditWriter). Pending entries are
 * flushed when the app closes, before the stores are. The log goes to `deps.store`
 * (openFeatureStores: SQLite's meta.db or PostgreSQL), else the SQLite metadata database.
 */
export function auditLog(config: AuditConfig, deps: { metrics: MetricsRegistry; store?: AuditStore }): RegistryExtension {
  return (app, ctx) => {
    if (!config.enabled) return;
    const store = deps.store ?? new SqliteAuditStore(sqliteDatabaseOf(ctx.meta, 'the audit log'));
    const written = deps.metrics.counter('bosun_registry_audit_entries_total', 'Audit log entries written (gap markers included).');
    const writer = new AuditWriter(store, { flushMs: config.flushMs, batchSize: config.batchSize, maxPending: config.maxPending, logger: app.log, written });
    const off = ctx.events.on((event) => {
      const record = auditRecordOf(event);
      if (record) writer.record(record);
    });
    app.addHook('onClose', async () => {
      off();
      await writer.flush();
    });
  };
}
