// Benchmark: bosun's registry against Debian's docker-registry (distribution 2.8) on loopback.
// Both are child processes on the same machine, with the same image pushed to each and the
// same load client. Usage: node --import tsx bench/registry.ts [seconds-per-measurement]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { digestOf } from '../src/oci/digest.js';
import { MediaTypes } from '../src/oci/media-types.js';
import { load, type LoadResult } from './load.js';

const seconds = Number(process.argv[2] ?? 3);
const connections = 16;
const ociAccept = { accept: `${MediaTypes.ociManifest}, ${MediaTypes.dockerManifest}` };

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitUp(origin: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await request(`${origin}/v2/`);
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${origin} did not come up`);
}

async function startBosun(dir: string, port: number): Promise<ChildProcess> {
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--data', join(dir, 'bosun'), '--log-level', 'error'];
  return spawn(process.execPath, args, { stdio: 'ignore' });
}

async function startDistribution(dir: string, port: number): Promise<ChildProcess> {
  const config = [
    'version: 0.1',
    'log: { level: error, accesslog: { disabled: true } }',
    `storage: { filesystem: { rootdirectory: ${join(dir, 'distribution')} }, delete: { enabled: true }, cache: { blobdescriptor: inmemory } }`,
    `http: { addr: "127.0.0.1:${port}" }`,
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  return spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
}

/** POST + PUT?digest with the whole body: the upload flow every registry supports. */
async function pushBlob(origin: string, repo: string, bytes: Buffer): Promise<string> {
  const digest = digestOf(bytes);
  const post = await request(`${origin}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await post.body.dump();
  const loc = new URL(post.headers.location as string, origin);
  loc.searchParams.set('digest', digest);
  const put = await request(loc, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  await put.body.dump();
  if (put.statusCode !== 201) throw new Error(`blob push to ${origin}: ${put.statusCode}`);
  return digest;
}

interface Image {
  manifestDigest: string;
  small: string;
  large: string;
}

async function pushImage(origin: string, small: Buffer, large: Buffer): Promise<Image> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const [c, s, l] = [await pushBlob(origin, 'bench/app', config), await pushBlob(origin, 'bench/app', small), await pushBlob(origin, 'bench/app', large)];
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: c, size: config.length },
    layers: [
      { mediaType: MediaTypes.ociLayerGzip, digest: s, size: small.length },
      { mediaType: MediaTypes.ociLayerGzip, digest: l, size: large.length },
    ],
  }));
  const put = await request(`${origin}/v2/bench/app/manifests/latest`, { method: 'PUT', body: manifest, headers: { 'content-type': MediaTypes.ociManifest } });
  await put.body.dump();
  if (put.statusCode !== 201) throw new Error(`manifest push to ${origin}: ${put.statusCode}`);
  return { manifestDigest: digestOf(manifest), small: s, large: l };
}

/** Pushes `count` distinct 1 MiB blobs, `connections` at a time; MB/s. */
async function pushThroughput(origin: string, count: number): Promise<number> {
  const blobs = Array.from({ length: count }, () => randomBytes(1 << 20));
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < blobs.length) await pushBlob(origin, 'bench/push', blobs[next++]!);
  }));
  return (count * (1 << 20)) / 1e6 / ((performance.now() - started) / 1000);
}

interface Measure {
  name: string;
  run(origin: string, img: Image): Promise<number>;
}

async function timed(origin: string, path: string, conns: number, max: number): Promise<LoadResult> {
  const opts = { origin, path, connections: conns, seconds, maxRequests: max, headers: ociAccept };
  // An untimed warm-up as long as the measurement, so JIT compilation (bosun runs through
  // tsx) and cold caches do not count; 1 s was not enough on a loaded machine.
  await load(opts);
  const r = await load(opts);
  if (r.errors > 0) throw new Error(`${origin}${path}: ${r.errors} failed requests`);
  return r;
}

const measures: Measure[] = [
  { name: 'manifest GET by tag (req/s)', run: async (o) => (await timed(o, '/v2/bench/app/manifests/latest', connections, 500_000)).perSecond },
  { name: 'manifest GET by digest (req/s)', run: async (o, i) => (await timed(o, `/v2/bench/app/manifests/${i.manifestDigest}`, connections, 500_000)).perSecond },
  { name: 'small blob GET, 1 KiB (req/s)', run: async (o, i) => (await timed(o, `/v2/bench/app/blobs/${i.small}`, connections, 500_000)).perSecond },
  { name: 'large blob GET, 10 MiB (GB/s)', run: async (o, i) => (await timed(o, `/v2/bench/app/blobs/${i.large}`, 4, 2_000)).gbPerSecond },
  { name: 'push, 1 MiB blobs x 32 (MB/s)', run: async (o) => pushThroughput(o, 32) },
];

/**
 * Runs every measure on both servers back to back, `rounds` times in alternating order, and
 * keeps each server's best: other load on a shared machine then hits both sides alike.
 */
async function compare(servers: Array<{ origin: string; img: Image }>, rounds: number): Promise<number[][]> {
  const best = measures.map(() => servers.map(() => 0));
  for (const [mi, m] of measures.entries()) {
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? servers.map((_, i) => i) : servers.map((_, i) => servers.length - 1 - i);
      for (const si of order) best[mi]![si] = Math.max(best[mi]![si]!, await m.run(servers[si]!.origin, servers[si]!.img));
    }
  }
  return best;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-bench-'));
  const [bp, dp] = [await freePort(), await freePort()];
  const procs = [await startBosun(dir, bp), await startDistribution(dir, dp)];
  try {
    const bosun = `http://127.0.0.1:${bp}`;
    const distribution = `http://127.0.0.1:${dp}`;
    await Promise.all([waitUp(bosun), waitUp(distribution)]);
    const small = randomBytes(1024);
    const large = randomBytes(10 << 20);
    const servers = [
      { origin: bosun, img: await pushImage(bosun, small, large) },
      { origin: distribution, img: await pushImage(distribution, small, large) },
    ];
    const best = await compare(servers, 2);
    const rows = measures.map((m, i) => {
      const [b, d] = best[i] as [number, number];
      return { measure: m.name, bosun: Number(b.toFixed(2)), 'docker-registry 2.8': Number(d.toFixed(2)), ratio: Number((b / d).toFixed(2)) };
    });
    console.table(rows);
    console.log(`best of 2 alternating rounds, ${seconds}s each after an equal warm-up; ${connections} keep-alive connections (4 for large blobs and pushes); loopback`);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
