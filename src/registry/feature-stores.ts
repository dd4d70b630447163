import type Database from 'better-sqlite3';
import { BosunError } from '../errors.js';
import { dirname } from 'node:path';
import { loadOrCreatePostgresSigningKey } from './access/postgres-signing-key.js';
import { PostgresAccessStore } from './access/postgres-store.js';
import { loadOrCreateSigningKey, type SigningKey } from './access/signing-key.js';
import { SqliteAccessStore } from './access/sqlite-store.js';
import type { AccessStore } from './access/store.js';
import type { AuditStore } from './audit/audit-store.js';
import { PostgresAuditStore } from './audit/postgres-audit-store.js';
import { SqliteAuditStore } from './audit/sqlite-audit-store.js';
import { PostgresRuleStore } from './immutable-tags/postgres-store.js';
import type { RuleStore } from './immutable-tags/rules.js';
import { SqliteRuleStore } from './immutable-tags/sqlite-store.js';
import type { MetaStore } from './meta-store/meta-store.js';
import { PostgresMetaStore } from './meta-store/postgres.js';
import { SqliteMetaStore } from './meta-store/sqlite.js';
import { PostgresScanStore } from './scan/postgres-scan-store.js';
import { SqliteScanStore, type ScanStore } from './scan/scan-store.js';

/**
 * The stores of the registry's features beside its metadata: accounts (and the token signing
 * key), immutable-tag rules, the audit log and scan results. Each is opened on first use; `close` closes what was opened
 * (never the metadata store, which its owner closes after).
 */
export interface FeatureStores {
  readonly backend: 'sqlite' | 'postgres';
  readonly access: AccessStore;
  readonly rules: RuleStore;
  readonly audit: AuditStore;
  readonly scans: ScanStore;
  /** The token signing key: `<data>/token-key.pem` with SQLite, shared by every replica with PostgreSQL. */
  signingKey(): Promise<SigningKey>;
  close(): Promise<void>;
}

interface Openers {
  access(): AccessStore;
  rules(): RuleStore;
  audit(): AuditStore;
  scans(): ScanStore;
  signingKey(): Promise<SigningKey>;
}

function lazyStores(backend: FeatureStores['backend'], open: Openers): FeatureStores {
  const made: { access?: AccessStore; rules?: RuleStore; audit?: AuditStore; scans?: ScanStore } = {};
  return {
    backend,
    get access() {
      return (made.access ??= open.access());
    },
    get rules() {
      return (made.rules ??= open.rules());
    },
    get audit() {
      return (made.audit ??= open.audit());
    },
    get scans() {
      return (made.scans ??= open.scans());
    },
    signingKey: () => open.signingKey(),
    async close() {
      await made.access?.close();
      await made.rules?.close();
    },
  };
}

/**
 * The feature stores over the same database as `meta`: with SQLite metadata, tables in its
 * meta.db (accounts and rules on connections of their own, as the CLI may write them while the
 * server runs; audit and scans on the metadata connection); with PostgreSQL, tables in that
 * database over the metadata store's pool, so every replica shares them. Throws
 * REGISTRY_CONFIG_INVALID for any other MetaStore.
 */
export function openFeatureStores(meta: MetaStore): FeatureStores {
  if (meta instanceof PostgresMetaStore) {
    const pool = meta.pool;
    return lazyStores('postgres', {
      access: () => new PostgresAccessStore(pool),
      rules: () => new PostgresRuleStore(pool),
      audit: () => new PostgresAuditStore(pool),
      scans: () => new PostgresScanStore(pool),
      signingKey: () => loadOrCreatePostgresSigningKey(pool),
    });
  }
  const db = sqliteDatabaseOf(meta, 'accounts, rules, audit and scans');
  // With ':memory:' (tests) these two get a database of their own, not shared with `meta`.
  const file = (meta as SqliteMetaStore).file;
  return lazyStores('sqlite', {
    access: () => new SqliteAccessStore(file),
    rules: () => new SqliteRuleStore(file),
    audit: () => new SqliteAuditStore(db),
    scans: () => new SqliteScanStore(db),
    signingKey: () => loadOrCreateSigningKey(dirname(file)),
  });
}

/**
 * The SQLite connection of a metadata store, for a feature given no store of its own (tests
 * and embedders building an app by hand). Throws REGISTRY_CONFIG_INVALID when the metadata is
 * not SQLite: such registries pass the feature its store (`openFeatureStores`).
 */
export function sqliteDatabaseOf(meta: MetaStore, feature: string): Database.Database {
  if (meta instanceof SqliteMetaStore) return meta.database;
  throw new BosunError('REGISTRY_CONFIG_INVALID', `${feature} needs its store passed in: the metadata store is not SQLite`);
}
