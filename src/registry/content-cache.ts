/**
 * A byte-bounded LRU of immutable content by digest (manifests, small blobs), so the hot
 * GET paths skip the blob store. Content-addressed entries never go stale; deleting a
 * manifest only removes a repository's link, which the metadata lookup already checks.
 */
export class ContentCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  /** `maxBytes` bounds the total; entries over `maxEntryBytes` are not kept. */
  constructor(
    private readonly maxBytes: number,
    readonly maxEntryBytes: number,
  ) {}

  get(digest: string): Buffer | undefined {
    const v = this.entries.get(digest);
    if (v) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.entries.delete(digest);
      this.entries.set(digest, v);
    }
    return v;
  }

  set(digest: string, value: Buffer): void {
    if (value.length > this.maxEntryBytes || this.entries.has(digest)) return;
    this.entries.set(digest, value);
    this.bytes += value.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }
}
