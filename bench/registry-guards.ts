// Benchmark: what the registry guards cost on the hot path, manifest GET by tag. Three
// in-process servers over one data directory's worth of content: no extensions, the default
// set (immutable tag guard), and the default set plus rate limiting (a budget never exhausted).
// Each is measured in turn, three times, with the same keep-alive client; the machine may be
// shared, so compare the best of each. First, the cost of one rate-limit bucket lookup.
// Usage: node --import tsx bench/registry-guards.ts [seconds-per-measurement]
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRegistryConfig } from '../src/registry/config.js';
import { buildRegistryApp } from '../src/registry/app.js';
import { FsBlobStore } from '../src/registry/blob-store/fs.js';
import { SqliteMetaStore } from '../src/registry/meta-store/sqlite.js';
import { TokenBuckets } from '../src/registry/rate-limit/token-buckets.js';
import { openRegistry, type OpenedRegistry } from '../src/registry/serve.js';
import { UploadSpool } from '../src/registry/upload-spool.js';
import { imageManifest, putManifest } from '../test/registry/helpers.js';
import { load } from './load.js';

const seconds = Number(process.argv[2] ?? 3);
const budget = { rate: 1_000_000, burst: 1_000_000 };
const variants = {
  'default (immutable tag guard, 1 rule)': { immutableTags: [{ repository: 'prod/**', tag: 'v*' }] },
  'default + rate limit': { immutableTags: [{ repository: 'prod/**', tag: 'v*' }], rateLimit: { enabled: true, read: budget, write: budget } },
} as const;

async function start(config: unknown): Promise<{ reg: OpenedRegistry; origin: string }> {
  const reg = await openRegistry({ dataDir: await mkdtemp(join(tmpdir(), 'bosun-bench-guards-')), config: parseRegistryConfig(config) });
  const image = await imageManifest(reg.app, 'prod/app');
  await putManifest(reg.app, 'prod/app', 'v1', image.raw);
  return { reg, origin: await reg.app.listen({ host: '127.0.0.1', port: 0 }) };
}

async function startBare(): Promise<{ reg: OpenedRegistry; origin: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-bench-guards-'));
  const meta = new SqliteMetaStore(join(dir, 'meta.db'));
  const { app } = await buildRegistryApp({ blobs: await new FsBlobStore(join(dir, 'store')).open(0), meta, spool: await new UploadSpool(join(dir, 'uploads')).open() });
  const image = await imageManifest(app, 'prod/app');
  await putManifest(app, 'prod/app', 'v1', image.raw);
  const close = async () => {
    await app.close();
    await meta.close();
  };
  return { reg: { app, cleanedUploads: 0, close }, origin: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

/** Nanoseconds per `take` with `clients` distinct clients in rotation. */
function takeCost(clients: number): number {
  const buckets = new TokenBuckets(budget, 10_000);
  const names = Array.from({ length: clients }, (_, i) => `ip:10.0.${i >> 8}.${i & 255}`);
  const n = 2_000_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) buckets.take(names[i % clients]!);
  return ((performance.now() - t0) * 1e6) / n;
}

for (const clients of [1, 1000, 20_000]) process.stdout.write(`TokenBuckets.take, ${clients} clients: ${takeCost(clients).toFixed(0)} ns\n`);

const servers = [
  { name: 'no extensions', ...(await startBare()) },
  ...(await Promise.all(Object.entries(variants).map(async ([name, config]) => ({ name, ...(await start(config)) })))),
];
const results = new Map<string, number[]>();
for (let round = 0; round < 3; round++) {
  for (const s of servers) {
    const r = await load({ origin: s.origin, path: '/v2/prod/app/manifests/v1', connections: 16, seconds, maxRequests: Infinity, headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    if (r.errors > 0) throw new Error(`${s.name}: ${r.errors} errors`);
    results.set(s.name, [...(results.get(s.name) ?? []), Math.round(r.perSecond)]);
  }
}
for (const [name, rates] of results) process.stdout.write(`${name.padEnd(40)} manifest GET/s: ${rates.join(', ')}\n`);
for (const s of servers) await s.reg.close();
