import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { BosunError } from '../../errors.js';
import type { BlobStore, ByteRange } from './blob-store.js';
import { checkStoreKey, checkStorePrefix } from './paths.js';

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prepended to every key, e.g. `registry/` to share a bucket; default '' (the bucket root). */
  prefix?: string;
  /** Multipart part size in bytes (S3's minimum, 5 MiB, and up); default 8 MiB. */
  partSize?: number;
  /** Parts uploaded at once per put (default 2): memory per put is about partSize × this. */
  queueSize?: number;
  /** When set, `redirectUrl` presigns GETs valid this many seconds; else blobs are proxied. */
  redirectSeconds?: number;
}

const minPartSize = 5 * 1024 * 1024;

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function storeFailed(what: string, err: unknown): BosunError {
  return new BosunError('REGISTRY_SERVE_STORE_FAILED', `blob store (s3): ${what}`, { cause: err });
}

/**
 * A BlobStore on S3-compatible object storage (AWS SDK v3), keys `<prefix><key>` in one bucket.
 *
 * `put` writes straight to the final key: S3 makes an object visible only when its PutObject
 * or CompleteMultipartUpload succeeds, and an overwrite replaces the old object in one step,
 * so a temp key and copy would add a second full write for nothing. Bodies up to `partSize`
 * go as one PutObject, larger ones as a multipart upload of `partSize` parts. If the body
 * errors (a verifying stream's digest mismatch is raised before its end), CompleteMultipartUpload
 * is never sent and the upload is aborted: nothing becomes visible. A process killed mid-put
 * leaves invisible parts behind; a bucket lifecycle rule (AbortIncompleteMultipartUpload)
 * reclaims them.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly redirectSeconds: number | undefined;

  constructor(opts: S3BlobStoreOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? '';
    this.partSize = Math.max(opts.partSize ?? 8 * 1024 * 1024, minPartSize);
    this.queueSize = opts.queueSize ?? 2;
    this.redirectSeconds = opts.redirectSeconds;
  }

  private objectKey(key: string): string {
    return this.prefix + checkStoreKey(key);
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    const Key = this.objectKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storeFailed(`stat "${key}"`, err);
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const Key = this.objectKey(key);
    let body: unknown;
    try {
      const got = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      body = got.Body;
    } catch (err) {
      if (statusOf(err) === 404) throw new BosunError('REGISTRY_SERVE_BLOB_UNKNOWN', `no blob at "${key}"`);
      throw storeFailed(`read "${key}"`, err);
    }
    // In Node the SDK's body is the HTTP response stream; absent only for a body-less answer.
    if (body instanceof Readable) return body;
    if (body === undefined) return Readable.from([]);
    throw storeFailed(`read "${key}": unexpected body type`, undefined);
  }

  async put(key: string, body: Readable): Promise<void> {
    const Key = this.objectKey(key);
    // The body's own error (e.g. OCI_DIGEST_MISMATCH) is what the caller must see, not the
    // SDK's wrapping of it, nor a failed abort of the multipart upload that followed.
    let bodyError: unknown;
    body.once('error', (err) => (bodyError ??= err));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: body, ContentType: 'application/octet-stream' },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      if (bodyError !== undefined) throw bodyError;
      throw storeFailed(`put "${key}"`, err);
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    checkStorePrefix(prefix);
    let ContinuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ...(ContinuationToken ? { ContinuationToken } : {}) }),
        );
      } catch (err) {
        throw storeFailed(`list "${prefix}"`, err);
      }
      for (const o of page.Contents ?? []) if (o.Key !== undefined) yield o.Key.slice(this.prefix.length);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw storeFailed(`delete "${key}"`, err);
    }
  }

  /**
   * A presigned GET URL for `key`, valid `redirectSeconds`, when redirects are configured;
   * undefined otherwise. Signing is local (no request); the caller checked the key exists.
   */
  async redirectUrl(key: string): Promise<string | undefined> {
    if (this.redirectSeconds === undefined) return undefined;
    const Key = this.objectKey(key);
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key }), { expiresIn: this.redirectSeconds });
  }
}
