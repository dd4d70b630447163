export { buildRegistryApp, type RegistryAppOptions, type RegistryExtension } from './app.js';
export { defaultRegistryConfig, loadRegistryConfig, parseRegistryConfig, type RegistryConfig } from './config.js';
export type { BlobStore, ByteRange } from './blob-store/blob-store.js';
export { FsBlobStore } from './blob-store/fs.js';
export { MemoryBlobStore } from './blob-store/memory.js';
export { blobKey, isStoreKey } from './blob-store/paths.js';
export type { MountCheck, RegistryContext } from './context.js';
export { actorOf, RegistryEvents, type Actor, type RegistryEvent, type RegistryEventListener } from './events.js';
export { toWireError, type WireError, type WireErrorBody } from './errors.js';
export type { ManifestRecord, MetaStore, Page, UploadRecord } from './meta-store/meta-store.js';
export { SqliteMetaStore } from './meta-store/sqlite.js';
export { openRegistry, parseAddr, serveRegistry, type OpenedRegistry, type OpenRegistryOptions, type ServeRegistryOptions } from './serve.js';
export { UploadSpool } from './upload-spool.js';
export {
  applyRetention,
  collectGarbage,
  lifecycleExtension,
  withDataDir,
  type GcOptions,
  type GcReport,
  type LifecycleStore,
  type RemovedEntry,
  type RetentionOptions,
  type RetentionReport,
  type RetentionRule,
} from './lifecycle/index.js';
