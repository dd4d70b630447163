// Benchmark: bosun's registry against Debian's docker-registry (distribution 2.8) on loopback.
// Both are child processes on the same machine, with the same image pushed to each and the
// same load client: wrk (a C client, see lib/wrk.ts) for GETs when /usr/bin/wrk exists, else
// or with --client=undici the Node client in load.ts; pushes always use undici. Beside each
// throughput it reports the server's own CPU time per unit of work (all its threads, from
// /proc), which other load on a shared machine moves far less than throughput.
// Usage: node --import tsx bench/registry.ts [seconds-per-measurement] [--client=undici]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { digestOf } from '../src/oci/digest.js';
import { MediaTypes } from '../src/oci/media-types.js';
import { cpuSeconds } from './lib/proc-cpu.js';
import { hasWrk, wrkLoad } from './lib/wrk.js';
import { load, type LoadResult } from './load.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const seconds = Number(positional[0] ?? 3);
const client = process.argv.includes('--client=undici') || !hasWrk() ? 'undici' : 'wrk';
const connections = 16;
const ociAccept = { accept: `${MediaTypes.ociManifest}, ${MediaTypes.dockerManifest}` };
const largeBytes = 10 << 20;

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

/**
 * POST + PUT?digest with the whole body, the upload flow every registry supports; `chunked`:
 * POST + PATCH with the body + PUT?digest without one, the flow docker, podman and skopeo use.
 */
async function pushBlob(origin: string, repo: string, bytes: Buffer, chunked = false): Promise<string> {
  const digest = digestOf(bytes);
  const post = await request(`${origin}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await post.body.dump();
  let loc = new URL(post.headers.location as string, origin);
  const octets = { 'content-type': 'application/octet-stream' };
  if (chunked) {
    const patch = await request(loc, { method: 'PATCH', body: bytes, headers: { ...octets, 'content-range': `0-${bytes.length - 1}` } });
    await patch.body.dump();
    if (patch.statusCode !== 202) throw new Error(`blob PATCH to ${origin}: ${patch.statusCode}`);
    loc = new URL(patch.headers.location as string, origin);
  }
  loc.searchParams.set('digest', digest);
  const put = await request(loc, { method: 'PUT', headers: octets, ...(chunked ? {} : { body: bytes }) });
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

/** Pushes `count` distinct 1 MiB blobs, 4 at a time: MB/s and the server's CPU s per GB. */
async function pushThroughput(server: Server, count: number, chunked: boolean): Promise<Result> {
  const blobs = Array.from({ length: count }, () => randomBytes(1 << 20));
  const cpu0 = cpuSeconds(server.pid);
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < blobs.length) await pushBlob(server.origin, 'bench/push', blobs[next++]!, chunked);
  }));
  const bytes = count * (1 << 20);
  return { value: bytes / 1e6 / ((performance.now() - started) / 1000), cost: (cpuSeconds(server.pid) - cpu0) / (bytes / 1e9) };
}

interface Server {
  origin: string;
  pid: number;
  img: Image;
}

/** A throughput (higher is better) and the server CPU it cost per unit (lower is better). */
interface Result {
  value: number;
  cost: number;
}

interface Measure {
  name: string;
  costUnit: string;
  run(server: Server): Promise<Result>;
}

async function timed(server: Server, path: string, conns: number, max: number): Promise<LoadResult & { cpu: number }> {
  const opts = { origin: server.origin, path, connections: conns, seconds, maxRequests: max, headers: ociAccept };
  const run = client === 'wrk' ? wrkLoad : load;
  // An untimed warm-up as long as the measurement, so JIT compilation (bosun runs through
  // tsx) and cold caches do not count; 1 s was not enough on a loaded machine.
  await run(opts);
  const cpu0 = cpuSeconds(server.pid);
  const r = await run(opts);
  const cpu = cpuSeconds(server.pid) - cpu0;
  if (r.errors > 0) throw new Error(`${server.origin}${path}: ${r.errors} failed requests`);
  return { ...r, cpu };
}

/** Requests per second, and server CPU ms per request. */
async function perRequest(server: Server, path: string): Promise<Result> {
  const r = await timed(server, path, connections, 500_000);
  return { value: r.perSecond, cost: (r.cpu * 1000) / r.requests };
}

const measures: Measure[] = [
  { name: 'manifest GET by tag (req/s)', costUnit: 'ms/req', run: (s) => perRequest(s, '/v2/bench/app/manifests/latest') },
  { name: 'manifest GET by digest (req/s)', costUnit: 'ms/req', run: (s) => perRequest(s, `/v2/bench/app/manifests/${s.img.manifestDigest}`) },
  { name: 'small blob GET, 1 KiB (req/s)', costUnit: 'ms/req', run: (s) => perRequest(s, `/v2/bench/app/blobs/${s.img.small}`) },
  {
    name: 'large blob GET, 10 MiB (GB/s)',
    costUnit: 's/GB',
    run: async (s) => {
      const r = await timed(s, `/v2/bench/app/blobs/${s.img.large}`, 4, 2_000);
      const gb = (r.requests * largeBytes) / 1e9;
      return { value: gb / r.seconds, cost: r.cpu / gb };
    },
  },
  { name: 'push, 1 MiB blobs x 32 (MB/s)', costUnit: 's/GB', run: (s) => pushThroughput(s, 32, false) },
  { name: 'push chunked, 1 MiB x 32 (MB/s)', costUnit: 's/GB', run: (s) => pushThroughput(s, 32, true) },
];

/**
 * Runs every measure on both servers back to back, `rounds` times in alternating order, and
 * keeps each server's best throughput and lowest cost: other load on a shared machine then
 * hits both sides alike.
 */
async function compare(servers: Server[], rounds: number): Promise<Result[][]> {
  const best = measures.map(() => servers.map(() => ({ value: 0, cost: Infinity })));
  for (const [mi, m] of measures.entries()) {
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? servers.map((_, i) => i) : servers.map((_, i) => servers.length - 1 - i);
      for (const si of order) {
        const got = await m.run(servers[si]!);
        const b = best[mi]![si]!;
        best[mi]![si] = { value: Math.max(b.value, got.value), cost: Math.min(b.cost, got.cost) };
      }
    }
  }
  return best;
}

const loads = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-bench-'));
  const [bp, dp] = [await freePort(), await freePort()];
  const procs = [await startBosun(dir, bp), await startDistribution(dir, dp)];
  try {
    const origins = [`http://127.0.0.1:${bp}`, `http://127.0.0.1:${dp}`];
    await Promise.all(origins.map(waitUp));
    const small = randomBytes(1024);
    const large = randomBytes(largeBytes);
    const servers: Server[] = [];
    for (const [i, origin] of origins.entries()) servers.push({ origin, pid: procs[i]!.pid!, img: await pushImage(origin, small, large) });
    const startLoad = loads();
    const best = await compare(servers, 2);
    const rows = measures.map((m, i) => {
      const [b, d] = best[i] as [Result, Result];
      return {
        measure: m.name,
        bosun: Number(b.value.toFixed(2)),
        'docker-registry 2.8': Number(d.value.toFixed(2)),
        ratio: Number((b.value / d.value).toFixed(2)),
        [`bosun CPU`]: `${b.cost.toPrecision(3)} ${m.costUnit}`,
        [`docker-registry CPU`]: `${d.cost.toPrecision(3)} ${m.costUnit}`,
      };
    });
    console.table(rows);
    console.log(`best of 2 alternating rounds, ${seconds}s each after an equal warm-up; GET client ${client}, ${connections} keep-alive connections (4 for large blobs and pushes); loopback`);
    console.log(`CPU: the server process's user+system time (all threads) per unit of work; load average ${startLoad} at the start, ${loads()} at the end`);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
