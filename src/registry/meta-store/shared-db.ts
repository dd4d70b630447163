import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { BosunError } from '../../errors.js';
import type { MetaStore } from './meta-store.js';
import { SqliteMetaStore } from './sqlite.js';

/**
 * The SQLite database a feature keeps its own tables in (audit log, scan results; schema in
 * migrations.ts): the metadata store's connection when metadata is SQLite, else
 * `<dataDir>/meta.db` opened (and migrated) for the features, closed with the app — so a
 * registry on another metadata backend keeps these tables locally. Throws
 * REGISTRY_CONFIG_INVALID when neither is available.
 */
export function featureDatabase(app: FastifyInstance, meta: MetaStore, dataDir: string | undefined, feature: string): Database.Database {
  if (meta instanceof SqliteMetaStore) return meta.database;
  if (dataDir === undefined) throw new BosunError('REGISTRY_CONFIG_INVALID', `${feature} needs SQLite metadata or a data directory for meta.db`);
  const local = new SqliteMetaStore(join(dataDir, 'meta.db'));
  app.addHook('onClose', async () => local.close());
  return local.database;
}
