import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BosunError } from '../../errors.js';
import { FsBlobStore } from '../blob-store/fs.js';
import { SqliteMetaStore } from '../meta-store/sqlite.js';
import { lifecycleOf, type LifecycleStores } from './gc.js';

/**
 * Opens a registry data directory for an offline lifecycle run (`bosun registry gc` or
 * `retention`), claiming it for the duration: throws REGISTRY_GC_BUSY while a server or
 * another run owns it, INPUT_INVALID when `dataDir` holds no registry. Closes everything
 * after `fn`.
 */
export async function withDataDir<T>(dataDir: string, role: string, fn: (stores: LifecycleStores) => Promise<T>): Promise<T> {
  if (!existsSync(join(dataDir, 'meta.db'))) throw new BosunError('INPUT_INVALID', `"${dataDir}" is not a registry data directory (no meta.db)`);
  const meta = new SqliteMetaStore(join(dataDir, 'meta.db'));
  try {
    const life = lifecycleOf(meta);
    await life.claimOwner(role);
    try {
      return await fn({ blobs: new FsBlobStore(join(dataDir, 'store')), meta });
    } finally {
      await life.releaseOwner();
    }
  } finally {
    await meta.close();
  }
}
