import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestOf } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { scanCandidate } from '../../src/registry/scan/candidate.js';
import { ScanQueue } from '../../src/registry/scan/scan-queue.js';
import { countsAtOrAbove } from '../../src/registry/scan/verdict.js';

const d = (s: string) => digestOf(s);
const manifest = (over: Record<string, unknown>) => Buffer.from(JSON.stringify({
  schemaVersion: 2, mediaType: MediaTypes.ociManifest,
  config: { mediaType: MediaTypes.ociConfig, digest: d('c'), size: 1 },
  layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: d('l'), size: 1 }],
  ...over,
}));

const candidates = [
  { name: 'an OCI image', raw: manifest({}), want: 'image' },
  { name: 'a Docker v2 image', raw: manifest({ mediaType: MediaTypes.dockerManifest, config: { mediaType: MediaTypes.dockerConfig, digest: d('c'), size: 1 }, layers: [{ mediaType: MediaTypes.dockerLayerGzip, digest: d('l'), size: 1 }] }), want: 'image' },
  { name: 'a signature (subject)', raw: manifest({ subject: { mediaType: MediaTypes.ociManifest, digest: d('s'), size: 1 } }), want: 'skip' },
  { name: 'an SBOM artifact (artifactType)', raw: manifest({ artifactType: 'application/spdx+json' }), want: 'skip' },
  { name: 'a Helm chart (config type)', raw: manifest({ config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: d('c'), size: 1 } }), want: 'skip' },
  { name: 'a buildx attestation manifest (in-toto layers)', raw: manifest({ layers: [{ mediaType: 'application/vnd.in-toto+json', digest: d('l'), size: 1 }] }), want: 'skip' },
  { name: 'an index', raw: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [{ mediaType: MediaTypes.ociManifest, digest: d('a'), size: 1 }] })), want: 'index' },
  { name: 'not JSON', raw: Buffer.from('{'), want: 'skip' },
] as const;
for (const c of candidates) test(`scan candidate: ${c.name} -> ${c.want}`, () => assert.equal(scanCandidate(c.raw).kind, c.want));

const counts = [
  { threshold: 'HIGH', summary: { CRITICAL: 1, HIGH: 2, MEDIUM: 5 }, want: [['CRITICAL', 1], ['HIGH', 2]] },
  { threshold: 'CRITICAL', summary: { HIGH: 2 }, want: [] },
  { threshold: 'UNKNOWN', summary: { UNKNOWN: 1, LOW: 1 }, want: [['LOW', 1], ['UNKNOWN', 1]] },
] as const;
for (const c of counts) {
  test(`counts at or above ${c.threshold}`, () => assert.deepEqual(countsAtOrAbove(c.summary, c.threshold), c.want));
}

test('scan queue: bounded, deduplicated, concurrency respected, close aborts', async () => {
  let running = 0;
  let maxRunning = 0;
  const started: string[] = [];
  const release: Array<() => void> = [];
  const aborted: string[] = [];
  const queue = new ScanQueue(async (job, signal) => {
    started.push(job.digest);
    maxRunning = Math.max(maxRunning, ++running);
    await new Promise<void>((resolve) => {
      let done = false;
      release.push(() => ((done = true), resolve()));
      signal.addEventListener('abort', () => {
        if (!done) aborted.push(job.digest);
        resolve();
      });
    });
    running--;
  }, { size: 2, concurrency: 1, timeoutMs: 60_000 });
  assert.deepEqual(['a', 'b', 'c', 'a', 'd'].map((x) => queue.enqueue({ repo: 'r', digest: x })), ['queued', 'queued', 'queued', 'duplicate', 'full']);
  assert.equal(queue.depth, 3);
  release.shift()!();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(started, ['a', 'b']);
  assert.equal(queue.enqueue({ repo: 'r', digest: 'a' }), 'queued', 'a finished job may be queued again');
  await queue.close();
  assert.deepEqual(aborted, ['b']);
  assert.equal(maxRunning, 1);
  assert.equal(queue.enqueue({ repo: 'r', digest: 'e' }), 'full');
});
