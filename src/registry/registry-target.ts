import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BosunError } from '../errors.js';
import { openFeatureStores, type FeatureStores } from './feature-stores.js';
import type { MetaStore } from './meta-store/meta-store.js';
import { openMetaStore } from './storage.js';
import type { StorageConfig } from './storage-config.js';

/**
 * The registry an offline command (`bosun registry users|robots|rules|audit|gc|retention`)
 * works on: its data directory and registry.yaml's `storage:` section, so the command opens
 * the same stores the server does. Without `storage`, SQLite in the data directory.
 */
export interface RegistryTarget {
  dataDir: string;
  storage?: StorageConfig;
}

export interface OpenTargetOptions {
  /** Create the data directory (SQLite) when missing, e.g. to add accounts before the first start. */
  create?: boolean;
  /** The error for a SQLite data directory without meta.db (default INPUT_INVALID). */
  missing?: (file: string) => BosunError;
}

/** Whether the target keeps its metadata in `<dataDir>/meta.db` (SQLite). */
export function isLocalTarget(target: RegistryTarget): boolean {
  return (target.storage?.meta.driver ?? 'sqlite') === 'sqlite';
}

/**
 * Opens the target's metadata store and feature stores for `fn`, closing both after. A SQLite
 * target without meta.db throws `opts.missing` unless `create`; an unreachable PostgreSQL
 * throws REGISTRY_SERVE_STORE_FAILED.
 */
export async function withFeatureStores<T>(target: RegistryTarget, opts: OpenTargetOptions, fn: (stores: FeatureStores, meta: MetaStore) => Promise<T>): Promise<T> {
  if (isLocalTarget(target)) {
    const file = join(target.dataDir, 'meta.db');
    if (!opts.create && !existsSync(file)) throw opts.missing?.(file) ?? new BosunError('INPUT_INVALID', `no registry metadata at "${file}": check --data`);
    await mkdir(target.dataDir, { recursive: true });
  }
  const meta = await openMetaStore(target.storage ?? { blobs: { driver: 'fs' }, meta: { driver: 'sqlite' } }, target.dataDir);
  const stores = openFeatureStores(meta);
  try {
    return await fn(stores, meta);
  } finally {
    await stores.close();
    await meta.close();
  }
}
