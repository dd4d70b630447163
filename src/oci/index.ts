// The public API of bosun's OCI area. Explicit list: add exports here, never `export *`.
// (Image sources and sinks: layout, docker-archive, local source strings, the image builder.)
export * as layout from './layout.js';
export * as archive from './archive.js';
export type { LayoutSelector, ResolvedManifest, ReadOptions } from './layout.js';
export type { ArchiveImage, ArchiveOptions, ArchiveSelector } from './archive.js';
export type { ArchiveWriteOptions } from './archive-write.js';
export type { WriteOptions as LayoutWriteOptions } from './layout-write.js';
export type { TarSource, SpoolOptions } from './spool.js';
export { openLocalImage, parseLocalSource, type LocalImage, type LocalSource, type OpenLocalOptions } from './local-source.js';
export { ImageBuilder, buildIndex, tarOf, type AddLayerOptions, type BuildOptions, type LayerEntry } from './image-builder.js';
export { LayerCache, squashFormatVersion, type LayerCacheOptions } from './layer-cache.js';
