import type { Readable } from 'node:stream';
import type { Digest } from './digest.js';
import type { MediaType } from './media-types.js';

/** spec: image-spec descriptor.md */
export interface Descriptor {
  mediaType: MediaType;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

/** spec: image-spec image-index.md, platform */
export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** An OCI image manifest or a Docker v2 schema 2 manifest (same shape). */
export interface Manifest {
  schemaVersion: 2;
  mediaType: MediaType;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** An OCI image index or a Docker manifest list. */
export interface Index {
  schemaVersion: 2;
  mediaType: MediaType;
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** spec: image-spec config.md (the fields bosun reads; the raw bytes keep everything). */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown> | null;
  };
  rootfs: { type: string; diff_ids: Digest[] };
  history?: HistoryEntry[];
}

/**
 * One layer of an image. Every method is lazy; each stream accessor returns a fresh stream that
 * the caller must consume or destroy. Streams fail with OCI_DIGEST_MISMATCH / OCI_SIZE_MISMATCH
 * at their end when the content is not what the manifest says.
 */
export interface Layer {
  digest(): Promise<Digest>;
  diffId(): Promise<Digest>;
  size(): Promise<number>;
  mediaType(): Promise<MediaType>;
  compressed(): Promise<Readable>;
  uncompressed(): Promise<Readable>;
}

/** A single-platform image. Every method is lazy. */
export interface Image {
  rawManifest(): Promise<Uint8Array>;
  manifest(): Promise<Manifest>;
  rawConfig(): Promise<Uint8Array>;
  config(): Promise<ImageConfig>;
  /** Base layer first. */
  layers(): Promise<readonly Layer[]>;
  /** The digest of rawManifest. */
  digest(): Promise<Digest>;
}

/** A multi-platform index. */
export interface ImageIndex {
  rawManifest(): Promise<Uint8Array>;
  manifest(): Promise<Index>;
  digest(): Promise<Digest>;
  image(digest: Digest): Promise<Image>;
  index(digest: Digest): Promise<ImageIndex>;
}

/**
 * What a new image source implements; `partial.fromCore()` derives the rest of `Image`.
 * Implementers:
 * - return the manifest bytes exactly as stored (the digest is computed over them);
 * - `openBlob` returns a fresh stream of the blob's stored (compressed) bytes; verification is
 *   done by `fromCore`, so sources need not hash.
 */
export interface ImageCore {
  rawManifest(): Promise<Uint8Array>;
  /** The digest under which the manifest was addressed, when the source knows it. */
  manifestDigest?(): Promise<Digest>;
  openBlob(desc: Descriptor, signal?: AbortSignal): Promise<Readable>;
}

export type FileKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** A file of a squashed image tree. Paths are absolute and normalized (`/etc/os-release`). */
export interface FileEntry {
  path: string;
  kind: FileKind;
  size: number;
  mode: number;
  /** For symlinks (as stored) and hard links (an absolute path in the image). */
  linkTarget?: string;
  /** The diffID of the layer the file came from; undefined for a plain rootfs directory. */
  layer?: Digest;
}

/** The squashed view catalogers see. Only files matching the registered globs are present. */
export interface FileTree {
  glob(patterns: readonly string[]): AsyncIterable<FileEntry>;
  /** Follows symlinks (never out of the root); undefined when absent or unsafe. */
  stat(path: string): Promise<FileEntry | undefined>;
  /** Opens a regular file's content; the caller consumes or destroys the stream. */
  open(entry: FileEntry): Promise<Readable>;
}
