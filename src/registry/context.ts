import type { FastifyRequest } from 'fastify';
import type { BlobStore } from './blob-store/blob-store.js';
import type { ContentCache } from './content-cache.js';
import type { RegistryEvents } from './events.js';
import type { MetaStore } from './meta-store/meta-store.js';
import type { UploadSessions } from './upload-sessions.js';

/**
 * Decides whether the requester may read repository `from`, before a cross-repository mount
 * links one of its blobs into the target. The mount is done only on `true`; otherwise the
 * request falls back to an ordinary upload session (spec: 202). An auth layer plugs in here.
 */
export type MountCheck = (request: FastifyRequest, from: string) => Promise<boolean>;

/** What every route plugin is given. */
export interface RegistryContext {
  blobs: BlobStore;
  meta: MetaStore;
  uploads: UploadSessions;
  cache: ContentCache;
  mayMountFrom: MountCheck;
  /**
   * Whether a mount without `from` looks for a repository holding the blob that the caller may
   * pull (registry.yaml `automaticCrossMount`; see cross-mount.ts).
   */
  automaticCrossMount: boolean;
  /**
   * Whether `_catalog` may list repository `repo` to the requester (access control lists only
   * what the caller may pull). Default: every repository.
   */
  isRepositoryVisible: (request: FastifyRequest, repo: string) => boolean;
  /** Push, pull, delete, login and denial events for the audit log, webhooks, metrics and scans. */
  events: RegistryEvents;
}
