/** Size limits for content read into memory. Larger content fails with LIMIT_EXCEEDED. */
export const limits = {
  /** Manifests and indexes; distribution caps manifests at 4 MiB too. */
  manifestBytes: 4 * 1024 * 1024,
  /** Image config blobs (history and env can be long, but not this long). */
  configBytes: 8 * 1024 * 1024,
  /** Manifests an index may list, and layers an image may have. */
  indexEntries: 1000,
  layers: 1000,
  /** Depth of nested indexes followed when selecting a platform. */
  indexDepth: 4,
} as const;
