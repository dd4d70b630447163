// Image signature verification benchmark against Debian's docker-registry on loopback.
// Run: node --import tsx bench/verify.ts   (BENCH_IMAGES=1000 by default; BENCH_FORMAT=legacy|both)
//
// 1. Pushes BENCH_IMAGES small images (ImageBuilder) and signs each with one key.
// 2. Cold: verifies every image with no cache (registry round trips + ECDSA), p50/p95 per image.
// 3. Warm: verifies every image again through a VerificationCache: revalidating (round trips
//    for the signature state only; no blob fetch, no crypto), and within a revalidation window
//    (no round trip), p50/p95 per image.
// 4. Keyless: verifications per second of the real sigstore-js bundles (production root).
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ImageBuilder } from '../src/oci/image-builder.js';
import * as remote from '../src/oci/remote/index.js';
import { parseBundle } from '../src/sign/bundle.js';
import { identityPolicy } from '../src/sign/identity.js';
import { VerificationCache } from '../src/sign/oci/cache.js';
import { signImage, type BundleFormat, type ImageSigner } from '../src/sign/oci/sign-image.js';
import { verifyImageRef, type ImageVerificationReport } from '../src/sign/oci/verify-ref.js';
import { loadTrustedRoot } from '../src/sign/trusted-root.js';
import { verifyBundle } from '../src/sign/verify.js';
import { startRegistry } from '../test/helpers/registry.js';

const count = Number(process.env.BENCH_IMAGES ?? 1000);
const format = (process.env.BENCH_FORMAT ?? 'legacy') as BundleFormat;
const shared = process.env.BOSUN_SHARED ?? path.resolve(import.meta.dirname, '../../shared');
const vectors = path.join(shared, 'vectors', 'sigstore');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
function summary(label: string, ms: number[]): void {
  const s = [...ms].sort((a, b) => a - b);
  console.log(`${label}: p50 ${percentile(s, 50).toFixed(2)} ms, p95 ${percentile(s, 95).toFixed(2)} ms, mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2)} ms over ${s.length}`);
}

async function prepare(host: string, signer: ImageSigner): Promise<string[]> {
  const refs: string[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const img = await new ImageBuilder().addEntries([{ path: `etc/bench-${i}`, content: `image ${i}\n` }]).build();
    const ref = `${host}/bench/app:v${i}`;
    await remote.write(ref, img, { insecure: true });
    await signImage(ref, { signer, bundleFormat: format, remote: { insecure: true } });
    refs.push(ref);
  }
  console.log(`pushed and signed ${count} images (${format}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return refs;
}

async function timeAll(refs: string[], opts: Parameters<typeof verifyImageRef>[1]): Promise<number[]> {
  const times: number[] = [];
  for (const ref of refs) {
    const t = performance.now();
    const r = await verifyImageRef(ref, opts);
    times.push(performance.now() - t);
    if (r.verified.length === 0) throw new Error(`${ref} did not verify`);
  }
  return times;
}

async function keylessRate(): Promise<void> {
  const dir = path.join(vectors, 'sigstore-js-bundles');
  const root = await loadTrustedRoot(path.join(vectors, 'trusted-roots', 'pgi-production.trusted_root.json'));
  const identity = identityPolicy({ identity: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth' });
  const bundles = readdirSync(dir).filter((f) => f.endsWith('.sigstore')).map((f) => parseBundle(readFileSync(path.join(dir, f))));
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < 3000) {
    for (const b of bundles) {
      await verifyBundle(b, { identity, trustedRoot: root });
      n++;
    }
  }
  console.log(`keyless bundle verification: ${(n / ((performance.now() - started) / 1000)).toFixed(0)} bundles/s (${bundles.length} real sigstore-js bundles, production root)`);
}

const reg = await startRegistry({ mode: 'http' });
try {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const refs = await prepare(reg.host, { privateKey, publicKey });
  const sessions = new Map<string, remote.Repository>();
  const policy = { key: publicKey };
  summary('cold (no cache)', await timeAll(refs, { policy, remote: { insecure: true }, sessions }));
  const cache = new VerificationCache<ImageVerificationReport>({ ttlMs: 10 * 60_000 });
  await timeAll(refs, { policy, remote: { insecure: true }, sessions, cache });
  summary('warm, revalidating (cache hit after re-reading the tag and signature manifests)', await timeAll(refs, { policy, remote: { insecure: true }, sessions, cache }));
  const window = new VerificationCache<ImageVerificationReport>({ ttlMs: 10 * 60_000, revalidateAfterMs: 60_000 });
  await timeAll(refs, { policy, remote: { insecure: true }, sessions, cache: window });
  summary('warm, within a 60 s revalidation window (no registry request)', await timeAll(refs, { policy, remote: { insecure: true }, sessions, cache: window }));
  await keylessRate();
} finally {
  await reg.stop();
}
