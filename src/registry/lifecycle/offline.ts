import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BosunError } from '../../errors.js';
import { FsBlobStore } from '../blob-store/fs.js';
import type { MetaStore } from '../meta-store/meta-store.js';
import { SqliteMetaStore } from '../meta-store/sqlite.js';
import { isLocalTarget, type RegistryTarget } from '../registry-target.js';
import { openStorage } from '../storage.js';
import { shareContentGuard } from './content-guard.js';
import { lifecycleOf, type LifecycleStores } from './gc.js';

/** Opens the target's stores: the data directory's own (as always), or those registry.yaml names. */
async function openStores(target: RegistryTarget): Promise<LifecycleStores & { close(): Promise<void> }> {
  const { dataDir, storage } = target;
  const local = isLocalTarget(target);
  if (local && !existsSync(join(dataDir, 'meta.db'))) throw new BosunError('INPUT_INVALID', `"${dataDir}" is not a registry data directory (no meta.db)`);
  if (!storage || (local && storage.blobs.driver === 'fs')) {
    const meta: MetaStore = new SqliteMetaStore(join(dataDir, 'meta.db'));
    return { blobs: new FsBlobStore(join(dataDir, 'store')), meta, close: () => meta.close() };
  }
  // Temp files are left alone (Infinity): a running server may be writing them.
  const opened = await openStorage(storage, { dataDir, staleMs: Infinity });
  return { blobs: opened.blobs, meta: opened.meta, close: () => opened.close() };
}

/**
 * Opens a registry for an offline lifecycle run (`bosun registry gc` or `retention`), for
 * `fn`. On SQLite it claims the data directory for the duration: throws REGISTRY_GC_BUSY while
 * a server or another run owns it, INPUT_INVALID when `dataDir` holds no registry. On
 * PostgreSQL the run may go on beside serving replicas (GC coordinates with them through the
 * database; a second concurrent run gets REGISTRY_GC_BUSY from collectGarbage). Closes
 * everything after `fn`.
 */
export async function withDataDir<T>(target: string | RegistryTarget, role: string, fn: (stores: LifecycleStores) => Promise<T>): Promise<T> {
  const stores = await openStores(typeof target === 'string' ? { dataDir: target } : target);
  try {
    const life = lifecycleOf(stores.meta);
    await life.claimOwner(role);
    shareContentGuard(stores.blobs, life);
    try {
      return await fn({ blobs: stores.blobs, meta: stores.meta });
    } finally {
      await life.releaseOwner();
    }
  } finally {
    await stores.close();
  }
}
