// The public API of bosun's OCI area. Explicit list: add exports here, never `export *`.

// Model and primitives.
export type { Descriptor, FileEntry, FileKind, FileTree, HistoryEntry, Image, ImageConfig, ImageCore, ImageIndex, Index, Layer, Manifest, Platform } from './types.js';
export { digestOf, isDigest, parseDigest, verifyBytes, VerifyingStream, type Digest, type DigestAlgorithm } from './digest.js';
export { MediaTypes, isImageManifest, isIndex, layerCompression, manifestAccept, type LayerCompression, type MediaType } from './media-types.js';
export { formatPlatform, parseConfig, parseManifest, parsePlatform, selectPlatform, type ParsedManifest } from './manifest.js';
export { limits as ociLimits } from './limits.js';
export { decompress, defaultDecompressLimits, type DecompressLimits } from './decompress.js';
export { fromCore, type FromCoreOptions } from './partial.js';
export { apiHost, formatReference, parseReference, parseRepository, type FormatOptions, type Reference } from './reference.js';

// Sources and sinks.
export * as remote from './remote/index.js';
export * as layout from './layout.js';
export * as archive from './archive.js';
export type { LayoutSelector, ResolvedManifest, ReadOptions } from './layout.js';
export type { ArchiveImage, ArchiveOptions, ArchiveSelector } from './archive.js';
export type { ArchiveWriteOptions } from './archive-write.js';
export type { WriteOptions as LayoutWriteOptions } from './layout-write.js';
export type { TarSource, SpoolOptions } from './spool.js';
export { openLocalImage, parseLocalSource, type LocalImage, type LocalSource, type OpenLocalOptions } from './local-source.js';
export { openImage, type OpenedImage, type OpenImageOptions } from './open.js';
export { copy, writeImage } from './copy.js';
export { ImageBuilder, buildIndex, tarOf, type AddLayerOptions, type BuildOptions, type LayerEntry } from './image-builder.js';
export { BlobCache, defaultCacheDir, withBlobCache } from './blob-cache.js';

// Reading image content.
export { squash, defaultSquashLimits, type SquashLimits, type SquashOptions } from './squash.js';
export { rootfsTree, RootfsTree, defaultRootfsLimits, type RootfsOptions } from './rootfs.js';
export { SquashedTree, globMatcher, type ClosableFileTree, type TreeProblem } from './file-tree.js';
export { inspectImage, type InspectReport } from './inspect.js';
