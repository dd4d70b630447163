// SBOM benchmark: `bosun sbom` (a child process, as users run it) on a 500+ MB image of real
// packages, against `gzip -dc layer | tar -x` of the same layers; cold, warm (layer cache), RSS.
// Run: node --import tsx bench/sbom.ts   (first run downloads and builds into bench/build/sbom/)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { debianRootfs } from '../scripts/lib/sample-debian.js';
import { digestOf } from '../src/oci/digest.js';
import { LayerCache } from '../src/oci/layer-cache.js';
import { MediaTypes } from '../src/oci/media-types.js';
import { squash } from '../src/oci/squash.js';
import { catalog, catalogGlobs } from '../src/sbom/catalog.js';
import { bestTimes, buildDir, fetchDeb, gzipLayer, imageDocs, imageOf, type BuiltLayer } from './lib/build.js';

// Layer 1: an OS with Python (stdlib and python3-* packages with egg-info/dist-info).
const osPackages = [
  'base-files', 'libc6', 'zlib1g', 'libssl3', 'ca-certificates', 'tzdata', 'libexpat1', 'libffi8', 'libsqlite3-0',
  'python3.11-minimal', 'libpython3.11-minimal', 'libpython3.11-stdlib', 'python3-pip', 'python3-setuptools',
  'python3-wheel', 'python3-requests', 'python3-urllib3', 'python3-certifi', 'python3-chardet', 'python3-idna',
  'python3-yaml', 'python3-jinja2', 'python3-markupsafe', 'python3-six', 'python3-pkg-resources',
];
// Layer 2: a JRE, jars from lib*-java, and big native libraries; its dpkg status lists both layers.
const bigPackages = [
  'openjdk-17-jre-headless', 'libllvm14', 'libicu72', 'gcc-12', 'cpp-12', 'libcommons-lang3-java',
  'libguava-java', 'libjackson2-core-java', 'libjackson2-databind-java', 'libslf4j-java', 'libcommons-io-java',
];
// Layer 3: an npm tree installed from the registry.
const npmPackages = ['typescript@5.9.3', 'express@4.21.2', 'webpack@5.97.1', '@babel/core@7.26.0', 'eslint@9.17.0', 'react@18.3.1', 'react-dom@18.3.1', 'lodash@4.17.21', 'moment@2.30.1', 'rxjs@7.8.1', 'prettier@3.4.2'];

const root = join(buildDir, 'sbom');
const debDir = join(buildDir, 'debs');
const layersDir = join(root, 'layers');
const layoutDir = join(root, 'oci');
const bosunBin = resolve(import.meta.dirname, '..', 'bin', 'bosun.js');

const tarDir = (dir: string) => (tar: string) => execFileSync('tar', ['--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '-C', dir, '-cf', tar, '.']);

/** Unpacks debs into a fresh directory with their dpkg database, and tars it. */
async function rootfsLayer(name: string, debs: string[], statusBefore: string): Promise<{ layer: BuiltLayer; status: string }> {
  const dir = join(root, `rootfs-${name}`);
  const statusFile = join(dir, 'var/lib/dpkg/status');
  const meta = join(layersDir, `${name}.json`);
  if (!existsSync(meta)) {
    rmSync(dir, { recursive: true, force: true });
    await debianRootfs(debs, dir);
    writeFileSync(statusFile, statusBefore + readFileSync(statusFile, 'utf8'));
    writeFileSync(join(root, `${name}.status`), readFileSync(statusFile, 'utf8'));
  }
  const layer = gzipLayer(layersDir, name, tarDir(dir));
  rmSync(dir, { recursive: true, force: true });
  return { layer, status: readFileSync(join(root, `${name}.status`), 'utf8') };
}

function npmLayer(): BuiltLayer {
  return gzipLayer(layersDir, '3-npm', (tar) => {
    const dir = join(root, 'rootfs-npm');
    const app = join(dir, 'app');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true }));
    execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--save-exact', ...npmPackages], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });
    tarDir(dir)(tar);
    rmSync(dir, { recursive: true, force: true });
  });
}

/** Writes the OCI layout `oci:<layoutDir>:bench` (layer blobs hard-linked from the layer files). */
function writeLayout(layers: readonly BuiltLayer[]): void {
  const { config, configDesc, manifest } = imageDocs(layers);
  rmSync(layoutDir, { recursive: true, force: true });
  const blobs = join(layoutDir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  for (const l of layers) linkSync(l.file, join(blobs, l.digest.slice(7)));
  writeFileSync(join(blobs, configDesc.digest.slice(7)), config);
  const mdigest = digestOf(manifest);
  writeFileSync(join(blobs, mdigest.slice(7)), manifest);
  writeFileSync(join(layoutDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [{ mediaType: MediaTypes.ociManifest, digest: mdigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }] };
  writeFileSync(join(layoutDir, 'index.json'), JSON.stringify(index));
}

interface BosunRun { seconds: number; cpuSeconds: number; maxRssMb: number; summary: string }

/** One `bosun sbom` child under GNU time; wall time measured here, peak RSS from `time -v`. */
function runBosun(cacheDir: string, extra: string[] = [], args = ['sbom', `oci:${layoutDir}:bench`, '-o', `bosun-json=${join(root, 'out.json')}`]): BosunRun {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, bosunBin, ...args, ...extra], {
    env: { ...process.env, BOSUN_CACHE_DIR: cacheDir, CI: 'true' },
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`bosun sbom failed: ${r.stderr}`);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const cpu = (name: string) => Number(new RegExp(`${name} time \\(seconds\\): ([\\d.]+)`).exec(r.stderr)?.[1] ?? NaN);
  return { seconds, cpuSeconds: cpu('User') + cpu('System'), maxRssMb: kb / 1024, summary: /^sbom: .*$/m.exec(r.stderr)?.[0] ?? '' };
}

/** squash + catalog in this process: CPU seconds (user + system), without process startup. */
async function inProcessCpu(layers: readonly BuiltLayer[], cache?: LayerCache): Promise<number> {
  const c0 = process.cpuUsage();
  await using tree = await squash(imageOf(layers, true), catalogGlobs(), cache ? { layerCache: cache } : {});
  await catalog(tree, { source: { kind: 'image', name: 'bench' } });
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

async function main(): Promise<void> {
  const os = await rootfsLayer('1-os', osPackages.map((p) => fetchDeb(debDir, p)), '');
  const big = await rootfsLayer('2-big', bigPackages.map((p) => fetchDeb(debDir, p)), `${os.status}\n`);
  const layers = [os.layer, big.layer, npmLayer()];
  writeLayout(layers);
  const mb = layers.reduce((n, l) => n + l.tarBytes, 0) / 1e6;
  const gzMb = layers.reduce((n, l) => n + l.size, 0) / 1e6;
  console.log(`image: ${layers.length} gzip layers, ${gzMb.toFixed(0)} MB compressed, ${mb.toFixed(0)} MB unpacked`);

  const caches = mkdtempSync(join(tmpdir(), 'bosun-bench-sbom-'));
  const dbDir = join(caches, 'db');
  const shared = process.env.BOSUN_SHARED ?? resolve(import.meta.dirname, '../../shared');
  execFileSync(process.execPath, [bosunBin, 'db', 'import', join(shared, 'advisories'), '--source', 'shared', '--db-dir', dbDir], { stdio: 'ignore' });
  let n = 0;
  let warmCache = '';
  const cold: BosunRun[] = [];
  const warm: BosunRun[] = [];
  const t = await bestTimes({
    'gunzip | tar -x': () => {
      const dest = mkdtempSync(join(tmpdir(), 'bosun-bench-x-'));
      for (const l of layers) execFileSync('sh', ['-c', 'gzip -dc "$1" | tar -x -C "$2"', 'sh', l.file, dest]);
      // Deleting the tree is not part of the baseline; it happens after the clock stops.
      setImmediate(() => rmSync(dest, { recursive: true, force: true }));
    },
    cold: () => {
      warmCache = join(caches, String(n++));
      cold.push(runBosun(warmCache));
    },
    warm: () => void warm.push(runBosun(warmCache)),
    // The per-layer path alone: whole-image results removed, so every layer record is replayed.
    'warm, layer records only': () => {
      for (const f of readdirSync(join(warmCache, 'layers'))) if (f.startsWith('sbom-')) rmSync(join(warmCache, 'layers', f));
      runBosun(warmCache);
    },
    // `bosun image` = the same SBOM pass + matching against an advisory database (cold cache).
    'bosun image, cold': () => void runBosun(join(caches, `scan-${n++}`), [], ['image', `oci:${layoutDir}:bench`, '--offline', '--db-dir', dbDir, '-q', '-f', 'json', '-o', join(root, 'scan.json')]),
  }, 2);
  const noCache = runBosun(join(caches, 'none'), ['--no-layer-cache']);
  const startup = runBosun(join(caches, 'none'), [], ['--version']);
  const inProcCache = new LayerCache(join(caches, 'in-process'));
  const cpuCold = await inProcessCpu(layers, inProcCache);
  const cpuWarm = await inProcessCpu(layers, inProcCache);
  rmSync(caches, { recursive: true, force: true });

  const base = t['gunzip | tar -x']!;
  const row = (name: string, s: number, note = '') => console.log(`${name.padEnd(44)} ${s.toFixed(2).padStart(6)} s  ratio ${(s / base).toFixed(2)}${note}`);
  row('gzip -dc | tar -x (baseline)', base);
  row('bosun sbom, cold (empty layer cache)', t.cold!, `   goal <= 1.30`);
  row('bosun sbom, --no-layer-cache', noCache.seconds);
  row('bosun sbom, warm (layer cache)', t.warm!, `   ${(t.warm! / t.cold!).toFixed(2)} x cold, goal <= 0.20`);
  row('bosun sbom, warm, per-layer records only', t['warm, layer records only']!, `   ${(t['warm, layer records only']! / t.cold!).toFixed(2)} x cold`);
  row('bosun image (SBOM + match), cold', t['bosun image, cold']!, `   ${(t['bosun image, cold']! / t.cold!).toFixed(2)} x bosun sbom cold, goal <= 1.50`);
  console.log(`peak RSS (VmHWM via /usr/bin/time -v): cold ${Math.max(...cold.map((r) => r.maxRssMb)).toFixed(0)} MB, warm ${Math.max(...warm.map((r) => r.maxRssMb)).toFixed(0)} MB, goal <= 250`);
  const cpu = (runs: BosunRun[]) => Math.min(...runs.map((r) => r.cpuSeconds));
  console.log(`CLI CPU time (user + sys): cold ${cpu(cold).toFixed(2)} s, warm ${cpu(warm).toFixed(2)} s (${(cpu(warm) / cpu(cold)).toFixed(2)} x cold); \`bosun --version\` alone ${startup.cpuSeconds.toFixed(2)} s`);
  console.log(`in-process squash + catalog CPU time: cold ${cpuCold.toFixed(2)} s, warm ${cpuWarm.toFixed(2)} s (${(cpuWarm / cpuCold).toFixed(2)} x cold)`);
  console.log(cold[0]?.summary);
  console.log(warm[0]?.summary);
}

await main();
