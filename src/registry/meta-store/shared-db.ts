import type Database from 'better-sqlite3';
import { BosunError } from '../../errors.js';
import type { MetaStore } from './meta-store.js';
import { SqliteMetaStore } from './sqlite.js';

/**
 * The SQLite connection behind a MetaStore, for feature stores that keep their own tables in
 * meta.db (audit log, scan results; their schema is in migrations.ts). Throws
 * REGISTRY_CONFIG_INVALID for another MetaStore: such a feature then needs its own store
 * implementation for that backend.
 */
export function sqliteDatabaseOf(meta: MetaStore, feature: string): Database.Database {
  if (meta instanceof SqliteMetaStore) return meta.database;
  throw new BosunError('REGISTRY_CONFIG_INVALID', `${feature} needs SQLite metadata (meta.db); this metadata store has no ${feature} implementation yet`);
}
