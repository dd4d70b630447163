// Layer-reading benchmark: bosun's one-pass reader against `gzip -dc | tar -t`.
// Run: node --import tsx bench/layers.ts   (first run downloads and builds into bench/build/)
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { squash } from '../src/oci/squash.js';
import { walkTar } from '../src/oci/tar-walk.js';
import type { Image } from '../src/oci/types.js';
import { bestTimes, buildDir, fetchDeb, gzipLayer, imageOf, type BuiltLayer } from './lib/build.js';

const packages = ['openjdk-17-jre-headless', 'libllvm14', 'libicu72', 'gcc-12', 'cpp-12'];
const catalogerGlobs = [
  'var/lib/dpkg/status', 'var/lib/dpkg/status.d/*', 'lib/apk/db/installed', 'usr/lib/os-release', 'etc/os-release',
  'var/lib/rpm/*', '**/node_modules/*/package.json', '**/*.jar', '**/*.war', '**/*.dist-info/METADATA',
  '**/*.egg-info/PKG-INFO', '**/*.gemspec', '**/Cargo.lock', '**/go.mod', 'usr/share/doc/*/copyright',
];
const debs = join(buildDir, 'debs');
const layersDir = join(buildDir, 'layers');

function buildLayer(pkg: string, i: number): BuiltLayer {
  return gzipLayer(layersDir, String(i), (tar) => {
    execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" > "$2"', 'sh', fetchDeb(debs, pkg), tar]);
  });
}

async function readEveryLayer(image: Image): Promise<void> {
  for (const layer of await image.layers()) {
    await walkTar(await layer.uncompressed(), 'bench', async () => {});
  }
}

async function main(): Promise<void> {
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
