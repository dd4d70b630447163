import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BosunError } from '../errors.js';
import type { BlobStore } from './blob-store/blob-store.js';
import { FsBlobStore } from './blob-store/fs.js';
import { createS3Client } from './blob-store/s3-client.js';
import { S3BlobStore } from './blob-store/s3.js';
import type { MetaStore } from './meta-store/meta-store.js';
import { PostgresMetaStore } from './meta-store/postgres.js';
import { SqliteMetaStore } from './meta-store/sqlite.js';
import type { PostgresMetaConfig, S3BlobsConfig, StorageConfig } from './storage-config.js';

export interface OpenedStorage {
  blobs: BlobStore;
  meta: MetaStore;
  /** Closes the metadata store and releases the blob store's connections. */
  close(): Promise<void>;
}

export interface OpenStorageOptions {
  /** The data directory: fs blobs under `store/`, SQLite at `meta.db`. */
  dataDir: string;
  /** fs temp files older than this are removed on open. */
  staleMs: number;
  /** Where failures of idle database connections are reported. */
  onIdleError?: (err: Error) => void;
}

/** Reads a secret file, trimmed; throws REGISTRY_CONFIG_INVALID naming the key (not the content). */
async function secretFile(file: string, key: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BosunError('REGISTRY_CONFIG_INVALID', `storage: ${key}: cannot read "${file}"`, { cause: err });
  }
  const value = text.trim();
  if (value === '' || value.length > 4096) throw new BosunError('REGISTRY_CONFIG_INVALID', `storage: ${key}: "${file}" is empty or too long`);
  return value;
}

async function openS3(c: S3BlobsConfig): Promise<{ store: S3BlobStore; close(): void }> {
  const credentials =
    c.accessKeyIdFile !== undefined && c.secretAccessKeyFile !== undefined
      ? {
          accessKeyId: await secretFile(c.accessKeyIdFile, 'blobs.accessKeyIdFile'),
          secretAccessKey: await secretFile(c.secretAccessKeyFile, 'blobs.secretAccessKeyFile'),
        }
      : undefined;
  const client = createS3Client({
    region: c.region,
    forcePathStyle: c.forcePathStyle,
    ...(c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const store = new S3BlobStore({
    client,
    bucket: c.bucket,
    prefix: c.prefix,
    partSize: c.partSizeMiB * 1024 * 1024,
    ...(c.redirect ? { redirectSeconds: c.redirectSeconds } : {}),
  });
  return { store, close: () => client.destroy() };
}

async function openPostgres(c: PostgresMetaConfig, onIdleError?: (err: Error) => void): Promise<MetaStore> {
  const url = c.urlFile !== undefined ? await secretFile(c.urlFile, 'meta.urlFile') : c.url!;
  return PostgresMetaStore.open({ url, maxConnections: c.maxConnections, ...(onIdleError ? { onIdleError } : {}) });
}

/**
 * Opens only the metadata store a `storage:` section names (SQLite: `<dataDir>/meta.db`),
 * for offline commands that need no blobs. Throws as openStorage.
 */
export async function openMetaStore(config: StorageConfig, dataDir: string): Promise<MetaStore> {
  return config.meta.driver === 'postgres' ? openPostgres(config.meta) : new SqliteMetaStore(join(dataDir, 'meta.db'));
}

/**
 * Opens the blob and metadata stores a `storage:` section names (defaults: fs + SQLite under
 * the data directory). Throws REGISTRY_CONFIG_INVALID for unreadable secrets and
 * REGISTRY_SERVE_STORE_FAILED when a store cannot be reached.
 */
export async function openStorage(config: StorageConfig, opts: OpenStorageOptions): Promise<OpenedStorage> {
  const s3 = config.blobs.driver === 's3' ? await openS3(config.blobs) : undefined;
  const blobs = s3 ? s3.store : await new FsBlobStore(join(opts.dataDir, 'store')).open(opts.staleMs);
  let meta: MetaStore;
  try {
    meta = config.meta.driver === 'postgres' ? await openPostgres(config.meta, opts.onIdleError) : new SqliteMetaStore(join(opts.dataDir, 'meta.db'));
  } catch (err) {
    s3?.close();
    throw err;
  }
  return {
    blobs,
    meta,
    close: async () => {
      await meta.close();
      s3?.close();
    },
  };
}
