export { buildRegistryApp, type RegistryAppOptions, type RegistryExtension } from './app.js';
export { defaultRegistryConfig, loadRegistryConfig, parseRegistryConfig, type RegistryConfig } from './config.js';
export type { BlobReader, BlobStore, ByteRange } from './blob-store/blob-store.js';
export { FsBlobStore } from './blob-store/fs.js';
export { MemoryBlobStore } from './blob-store/memory.js';
export { blobKey, isStoreKey } from './blob-store/paths.js';
export type { MountCheck, RegistryContext } from './context.js';
export { actorOf, RegistryEvents, type Actor, type RegistryEvent, type RegistryEventListener } from './events.js';
export { toWireError, type WireError, type WireErrorBody } from './errors.js';
export type { ManifestRecord, MetaStore, Page, TagGuard, UploadRecord } from './meta-store/meta-store.js';
export { SqliteMetaStore } from './meta-store/sqlite.js';
export { openRegistry, parseAddr, serveRegistry, type OpenedRegistry, type OpenRegistryOptions, type ServeRegistryOptions } from './serve.js';
export { UploadSpool } from './upload-spool.js';
export { parseDuration, proxyConfigSchema, proxyExtension, type ProxyConfig, type ProxyEntry } from './proxy/index.js';
export { S3BlobStore, type S3BlobStoreOptions } from './blob-store/s3.js';
export { createS3Client, type S3ClientSettings } from './blob-store/s3-client.js';
export { PostgresMetaStore, type PostgresMetaStoreOptions } from './meta-store/postgres.js';
export { openMetaStore, openStorage, type OpenedStorage, type OpenStorageOptions } from './storage.js';
export { openFeatureStores, type FeatureStores } from './feature-stores.js';
export { withFeatureStores, type OpenTargetOptions, type RegistryTarget } from './registry-target.js';
export type { StorageConfig } from './storage-config.js';
export { accessExtension, requestAccess, SqliteAccessStore, type AccessStore, type Action, type AuthConfig, type RequestAccess } from './access/index.js';
export { addImmutableTagRule, immutableTags, listImmutableTagRules, removeImmutableTagRule, SqliteRuleStore, type ImmutableTagRule, type ImmutableTagsOptions, type NewRule, type RuleSelector, type RuleStore } from './immutable-tags/index.js';
export { rateLimit, type BucketLimits, type RateLimitOptions } from './rate-limit/index.js';
export { loadTlsPair, tlsReload, type TlsPair, type TlsReloadOptions } from './tls/index.js';
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
export { auditLog, runAudit, verifyAuditLog, exportAuditLog, SqliteAuditStore, GENESIS_HASH, type AuditConfig, type AuditEntry as RegistryAuditEntry, type AuditStore, type AuditVerification } from './audit/index.js';
export { MetricsRegistry, metricsEndpoint, type MetricsConfig } from './metrics/index.js';
export { scanOnPush, SqliteScanStore, type ScanConfig, type ScanRecord, type ScanStore } from './scan/index.js';
export { signBody, signatureHeader, toCloudEvent, webhooks, type CloudEvent, type WebhookConfig } from './webhooks/index.js';
