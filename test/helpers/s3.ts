// A local S3-compatible server for tests: s3rver (npm, pure JS) on 127.0.0.1 with a random
// port, data in a temp dir, one bucket. Supports Put/Get/Head/Delete, ListObjectsV2, multipart
// upload and presigned (query-string SigV4) GETs; it checks signatures with its fixed keys.
//
//   const s3 = await startS3();
//   const client = s3.client();                    // an S3Client for it (path-style)
//   ... new S3BlobStore({ client, bucket: s3.bucket, prefix }) ...
//   await s3.stop();
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { createS3Client } from '../../src/registry/blob-store/s3-client.js';

export interface TestS3 {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** s3rver's data directory (objects are files below it). */
  dir: string;
  client(): S3Client;
  stop(): Promise<void>;
}

export async function startS3(bucket = 'bosun'): Promise<TestS3> {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, vhostBuckets: false, configureBuckets: [{ name: bucket }] });
  const addr = await server.run();
  const endpoint = `http://127.0.0.1:${addr.port}`;
  // s3rver's built-in credentials; it refuses requests signed with anything else.
  const creds = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const clients: S3Client[] = [];
  return {
    endpoint,
    bucket,
    ...creds,
    dir,
    client() {
      const c = createS3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: creds });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.destroy();
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
