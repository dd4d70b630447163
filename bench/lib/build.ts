// Shared by the benchmarks: fetching real Debian packages and turning files into gzip layers,
// all cached under bench/build/ (git-ignored) so later runs reuse them.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { fromCore } from '../../src/oci/partial.js';
import type { Descriptor, Image, ImageCore } from '../../src/oci/types.js';

export const buildDir = resolve(import.meta.dirname, '..', 'build');

/** A gzip layer file and what an image needs to describe it. */
export interface BuiltLayer { file: string; digest: Digest; diffId: Digest; size: number; tarBytes: number }

export const sha256File = (file: string): Digest => `sha256:${execFileSync('sha256sum', [file]).toString().split(' ')[0]}` as Digest;

/** The .deb of `pkg` in `debDir`, fetched with `apt-get download` when missing. */
export function fetchDeb(debDir: string, pkg: string): string {
  mkdirSync(debDir, { recursive: true });
  const find = () => readdirSync(debDir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!find()) execFileSync('apt-get', ['download', '-q', pkg], { cwd: debDir, stdio: 'inherit' });
  return join(debDir, find()!);
}

/**
 * Makes (once) the gzip layer `<dir>/<name>.tar.gz` from a plain tar written by `writeTar(path)`;
 * its description is kept beside it as `<name>.json`, so later runs skip the work.
 */
export function gzipLayer(dir: string, name: string, writeTar: (tarPath: string) => void): BuiltLayer {
  mkdirSync(dir, { recursive: true });
  const meta = join(dir, `${name}.json`);
  if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as BuiltLayer;
  const tar = join(dir, `${name}.tar`);
  const gz = join(dir, `${name}.tar.gz`);
  writeTar(tar);
  execFileSync('sh', ['-c', 'gzip -6 -c "$1" > "$2.tmp" && mv "$2.tmp" "$2"', 'sh', tar, gz]);
  const layer: BuiltLayer = { file: gz, digest: sha256File(gz), diffId: sha256File(tar), size: statSync(gz).size, tarBytes: statSync(tar).size };
  unlinkSync(tar);
  writeFileSync(`${meta}.tmp`, JSON.stringify(layer));
  renameSync(`${meta}.tmp`, meta);
  return layer;
}

/** The config and manifest of an amd64 image of `layers` (base first). */
export function imageDocs(layers: readonly BuiltLayer[]): { config: Buffer; configDesc: Descriptor; manifest: Buffer } {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }));
  const configDesc: Descriptor = { mediaType: MediaTypes.ociConfig, digest: digestOf(config), size: config.length };
  const layerDescs = layers.map((l): Descriptor => ({ mediaType: MediaTypes.ociLayerGzip, digest: l.digest, size: l.size }));
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: configDesc, layers: layerDescs }));
  return { config, configDesc, manifest };
}

/** An in-process image reading the layer files directly. */
export function imageOf(layers: readonly BuiltLayer[], verifyDiffIds: boolean): Image {
  const { config, configDesc, manifest } = imageDocs(layers);
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

/**
 * Runs every measurement once per round, interleaved, and keeps each one's best time: the
 * machine may be shared, and interleaving spreads load changes over all of them alike.
 */
export async function bestTimes(runs: Record<string, () => Promise<void> | void>, rounds = 3): Promise<Record<string, number>> {
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
