// Layer-reading benchmark: bosun's one-pass reader against `gzip -dc | tar -t`.
// Run: node --import tsx bench/layers.ts   (first run downloads and builds into bench/build/)
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { digestOf, type Digest } from '../src/oci/digest.js';
import { MediaTypes } from '../src/oci/media-types.js';
import { fromCore } from '../src/oci/partial.js';
import { squash } from '../src/oci/squash.js';
import { walkTar } from '../src/oci/tar-walk.js';
import type { Descriptor, Image, ImageCore } from '../src/oci/types.js';

const packages = ['openjdk-17-jre-headless', 'libllvm14', 'libicu72', 'gcc-12', 'cpp-12'];
const catalogerGlobs = [
  'var/lib/dpkg/status', 'var/lib/dpkg/status.d/*', 'lib/apk/db/installed', 'usr/lib/os-release', 'etc/os-release',
  'var/lib/rpm/*', '**/node_modules/*/package.json', '**/*.jar', '**/*.war', '**/*.dist-info/METADATA',
  '**/*.egg-info/PKG-INFO', '**/*.gemspec', '**/Cargo.lock', '**/go.mod', 'usr/share/doc/*/copyright',
];
const build = resolve(import.meta.dirname, 'build');
const debs = join(build, 'debs');
const layersDir = join(build, 'layers');

interface BuiltLayer { file: string; digest: Digest; diffId: Digest; size: number; tarBytes: number }

const sha256 = (file: string) => `sha256:${execFileSync('sha256sum', [file]).toString().split(' ')[0]}` as Digest;

function buildLayer(pkg: string, i: number): BuiltLayer {
  const meta = join(layersDir, `${i}.json`);
  if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as BuiltLayer;
  let deb = readdirSync(debs).find((f) => f.startsWith(`${pkg}_`));
  if (!deb) {
    execFileSync('apt-get', ['download', '-q', pkg], { cwd: debs, stdio: 'inherit' });
    deb = readdirSync(debs).find((f) => f.startsWith(`${pkg}_`))!;
  }
  const tar = join(layersDir, `${i}.tar`);
  const gz = join(layersDir, `${i}.tar.gz`);
  execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" > "$2.tmp" && mv "$2.tmp" "$2"`, 'sh', join(debs, deb), tar]);
  execFileSync('sh', ['-c', `gzip -6 -c "$1" > "$2.tmp" && mv "$2.tmp" "$2"`, 'sh', tar, gz]);
  const layer: BuiltLayer = { file: gz, digest: sha256(gz), diffId: sha256(tar), size: statSync(gz).size, tarBytes: statSync(tar).size };
  unlinkSync(tar);
  writeFileSync(meta + '.tmp', JSON.stringify(layer));
  renameSync(meta + '.tmp', meta);
  return layer;
}

function imageOf(layers: BuiltLayer[], verifyDiffIds: boolean): Image {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }));
  const configDesc: Descriptor = { mediaType: MediaTypes.ociConfig, digest: digestOf(config), size: config.length };
  const layerDescs = layers.map((l): Descriptor => ({ mediaType: MediaTypes.ociLayerGzip, digest: l.digest, size: l.size }));
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: configDesc, layers: layerDescs }));
  const core: ImageCore = {
    rawManifest: async () => manifest,
    openBlob: async (desc): Promise<Readable> => {
      if (desc.digest === configDesc.digest) return Readable.from([config]);
      const l = layers.find((x) => x.digest === desc.digest)!;
      return createReadStream(l.file, { highWaterMark: 1024 * 1024 });
    },
  };
  return fromCore(core, { name: 'bench', verifyDiffIds });
}

// Runs every measurement once per round, interleaved, and keeps each one's best time: the
// machine may be shared, and interleaving spreads load changes over all of them alike.
async function bestTimes(runs: Record<string, () => Promise<void>>, rounds = 3): Promise<Record<string, number>> {
  const best: Record<string, number> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(runs)) {
      const t0 = performance.now();
      await run();
      best[name] = Math.min(best[name] ?? Infinity, (performance.now() - t0) / 1000);
    }
  }
  return best;
}

async function readEveryLayer(image: Image): Promise<void> {
  for (const layer of await image.layers()) {
    await walkTar(await layer.uncompressed(), 'bench', async () => {});
  }
}

async function main(): Promise<void> {
  mkdirSync(debs, { recursive: true });
  mkdirSync(layersDir, { recursive: true });
  const layers = packages.map(buildLayer);
  const mb = layers.reduce((n, l) => n + l.tarBytes, 0) / 1e6;
  const gzMb = layers.reduce((n, l) => n + l.size, 0) / 1e6;
  console.log(`image: ${layers.length} gzip layers, ${gzMb.toFixed(0)} MB compressed, ${mb.toFixed(0)} MB unpacked`);

  let captured = 0;
  let peakRss = 0;
  const t = await bestTimes({
    baseline: async () => {
      for (const l of layers) {
        const r = spawnSync('sh', ['-c', 'gzip -dc "$1" | tar -t > /dev/null', 'sh', l.file]);
        if (r.status !== 0) throw new Error(`gzip | tar failed on ${l.file}`);
      }
    },
    verified: () => readEveryLayer(imageOf(layers, true)),
    unverifiedDiff: () => readEveryLayer(imageOf(layers, false)),
    squashed: async () => {
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
      try {
        await using tree = await squash(imageOf(layers, true), catalogerGlobs);
        captured = 0;
        for await (const _ of tree.glob(['**'])) captured++;
      } finally {
        clearInterval(sampler);
      }
    },
  });
  const baseline = t.baseline!;
  const row = (name: string, s: number) => console.log(`${name.padEnd(58)} ${s.toFixed(2).padStart(6)} s  ${(mb / s).toFixed(0).padStart(4)} MB/s  ratio ${(s / baseline).toFixed(2)}`);
  row('gzip -dc | tar -t (baseline)', baseline);
  row('bosun read, digest + diffID verified', t.verified!);
  row('bosun read, digest verified, diffID not', t.unverifiedDiff!);
  row(`bosun squash, ${catalogerGlobs.length} cataloger globs (${captured} files captured)`, t.squashed!);
  console.log(`peak RSS during squash: ${(peakRss / 1e6).toFixed(0)} MB`);
}

await main();
