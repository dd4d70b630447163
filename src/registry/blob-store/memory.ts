import { Readable } from 'node:stream';
import { BosunError } from '../../errors.js';
import type { BlobStore, ByteRange } from './blob-store.js';
import { checkStoreKey, checkStorePrefix } from './paths.js';

/** A BlobStore held in memory: for tests and throwaway registries. Values are never shared. */
export class MemoryBlobStore implements BlobStore {
  private readonly values = new Map<string, Buffer>();
  private readonly modified = new Map<string, number>();

  async stat(key: string): Promise<{ size: number } | undefined> {
    const v = this.values.get(checkStoreKey(key));
    return v ? { size: v.length } : undefined;
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const v = this.values.get(checkStoreKey(key));
    if (!v) throw new BosunError('REGISTRY_SERVE_BLOB_UNKNOWN', `no blob at "${key}"`);
    const bytes = range ? v.subarray(range.start, range.end + 1) : v;
    return Readable.from([bytes], { objectMode: false });
  }

  async put(key: string, body: Readable): Promise<void> {
    checkStoreKey(key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    this.values.set(key, Buffer.concat(chunks));
    this.modified.set(key, Date.now());
  }

  async lastModified(key: string): Promise<number | undefined> {
    return this.modified.get(checkStoreKey(key));
  }

  async *list(prefix: string): AsyncIterable<string> {
    checkStorePrefix(prefix);
    for (const key of [...this.values.keys()]) if (key.startsWith(prefix)) yield key;
  }

  async delete(key: string): Promise<void> {
    this.values.delete(checkStoreKey(key));
    this.modified.delete(key);
  }
}
