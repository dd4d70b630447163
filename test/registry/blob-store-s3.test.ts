// S3BlobStore against a local S3-compatible server (s3rver, npm) on 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { isBosunError } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import { readAll } from '../../src/oci/read-all.js';
import { putVerified } from '../../src/registry/blob-writer.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import { createS3Client } from '../../src/registry/blob-store/s3-client.js';
import { S3BlobStore } from '../../src/registry/blob-store/s3.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { freePort } from '../helpers/registry.js';
import { describeBlobStore } from './blob-store-suite.js';

let s3: TestS3;
let n = 0;

before(async () => {
  s3 = await startS3();
});
after(async () => {
  await s3.stop();
});

// Each store gets its own prefix in the one bucket, so `list('')` sees only its own keys.
function store(opts: { client?: S3Client; redirectSeconds?: number } = {}): S3BlobStore {
  return new S3BlobStore({ client: opts.client ?? s3.client(), bucket: s3.bucket, prefix: `t${++n}/`, partSize: 5 * 1024 * 1024, ...opts });
}

/** The S3 operations a client sends, by command name. */
function recordCommands(client: S3Client): string[] {
  const names: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      names.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize' },
  );
  return names;
}

function chunks(bytes: Buffer, size = 1 << 20): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

describeBlobStore('s3 (s3rver)', async () => store());

test('s3: a 20 MiB blob goes up as a verified multipart upload and reads back whole and in ranges', async () => {
  const client = s3.client();
  const sent = recordCommands(client);
  const s = store({ client });
  const bytes = randomBytes(20 * 1024 * 1024);
  const digest = digestOf(bytes);
  assert.equal(await putVerified(s, digest, chunks(bytes), bytes.length), bytes.length);
  assert.ok(sent.includes('CreateMultipartUploadCommand'), sent.join());
  assert.equal(sent.filter((c) => c === 'UploadPartCommand').length, 4);
  assert.ok(sent.includes('CompleteMultipartUploadCommand'));
  assert.deepEqual(await s.stat(blobKey(digest)), { size: bytes.length });
  const hash = createHash('sha256');
  for await (const c of await s.read(blobKey(digest))) hash.update(c as Buffer);
  assert.equal(`sha256:${hash.digest('hex')}`, digest);
  const tail = await readAll(await s.read(blobKey(digest), { start: bytes.length - 10, end: bytes.length - 1 }), 100, 'tail');
  assert.deepEqual(tail, bytes.subarray(bytes.length - 10));
});

test('s3: a multipart upload whose digest fails is never completed, and nothing is visible', async () => {
  const client = s3.client();
  const sent = recordCommands(client);
  const s = store({ client });
  const bytes = randomBytes(12 * 1024 * 1024);
  const wrong = digestOf('something else');
  await assert.rejects(putVerified(s, wrong, chunks(bytes), bytes.length), (e) => isBosunError(e, 'OCI_DIGEST_MISMATCH'));
  assert.ok(sent.includes('UploadPartCommand'), 'parts were uploaded before the mismatch showed');
  assert.ok(!sent.includes('CompleteMultipartUploadCommand'));
  assert.ok(sent.includes('AbortMultipartUploadCommand'));
  assert.equal(await s.stat(blobKey(wrong)), undefined);
  const left: string[] = [];
  for await (const k of s.list('')) left.push(k);
  assert.deepEqual(left, []);
});

test('s3: redirects presign a GET that serves the blob; off by default', async () => {
  const s = store({ redirectSeconds: 60 });
  await s.put('blobs/sha256/ab/abc', Readable.from([Buffer.from('presigned bytes')]));
  const url = (await s.redirectUrl('blobs/sha256/ab/abc')) ?? assert.fail('no redirect URL');
  assert.ok(url.startsWith(`${s3.endpoint}/${s3.bucket}/`), url);
  assert.match(url, /X-Amz-Signature=/);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'presigned bytes');
  assert.equal(await store().redirectUrl('blobs/sha256/ab/abc'), undefined);
});

test('s3: an unreachable server is STORE_FAILED', async () => {
  const client = createS3Client({ endpoint: `http://127.0.0.1:${await freePort()}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const s = new S3BlobStore({ client, bucket: 'b' });
  await assert.rejects(s.stat('k/x'), (e) => isBosunError(e, 'REGISTRY_SERVE_STORE_FAILED'));
  await assert.rejects(s.put('k/x', Readable.from([Buffer.from('x')])), (e) => isBosunError(e, 'REGISTRY_SERVE_STORE_FAILED'));
  client.destroy();
});
