import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest } from '../oci/digest.js';
import type { LayerCache } from '../oci/layer-cache.js';
import { bosunVersion } from '../version.js';
import type { Sbom } from './model.js';

/**
 * Bumped whenever catalogers or the model change what they produce for the same layers, so a
 * cached SBOM from older code is never served as current. The bosun version is in the key too.
 */
export const sbomResultFormatVersion = 1;

/** Largest cached SBOM read or written (a bigger one is simply not cached). */
const maxResultBytes = 64 * 1024 * 1024;

/** What decides an image's catalog result: its layer stack and how it was cataloged. */
export interface SbomResultKeyInput {
  diffIds: readonly Digest[];
  catalogers: readonly string[];
  globs: readonly string[];
  limits: unknown;
}

/** An SBOM without its `source` (which names how the user reached the image, not its content). */
export type CachedSbom = Omit<Sbom, 'source'>;

/**
 * Whole-image catalog results next to the per-layer records of a `LayerCache` (same directory,
 * so `bosun clean` and `--no-layer-cache` cover both). A re-scan of an image whose exact layer
 * stack was cataloged before, with the same catalogers, skips reading and replaying its layers,
 * as Trivy skips an image whose artifact and blobs are all cached. Safe for concurrent
 * processes: files appear by rename, and a reader checks the stored hash before believing them.
 * Failures are misses, never errors.
 */
export class SbomResultCache {
  readonly dir: string;

  constructor(layerCache: LayerCache) {
    this.dir = layerCache.dir;
  }

  static keyOf(input: SbomResultKeyInput): string {
    const canonical = JSON.stringify({
      format: sbomResultFormatVersion,
      bosun: bosunVersion,
      diffIds: input.diffIds,
      catalogers: [...input.catalogers].sort(),
      globs: [...new Set(input.globs)].sort(),
      limits: input.limits,
    });
    return createHash('sha256').update(canonical).digest('hex');
  }

  #path(key: string): string {
    return join(this.dir, `sbom-${key}.json`);
  }

  async get(key: string): Promise<CachedSbom | undefined> {
    try {
      const raw = await readFile(this.#path(key));
      if (raw.length > maxResultBytes || raw.length < 65) return undefined;
      const body = raw.subarray(65);
      if (createHash('sha256').update(body).digest('hex') !== raw.subarray(0, 64).toString('latin1')) return undefined;
      const parsed = JSON.parse(body.toString('utf8')) as { key?: string; sbom?: CachedSbom };
      return parsed.key === key && parsed.sbom && Array.isArray(parsed.sbom.packages) ? parsed.sbom : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores a result; false when it is too large or the write failed (nothing partial is visible). */
  async put(key: string, sbom: CachedSbom): Promise<boolean> {
    const body = Buffer.from(JSON.stringify({ key, sbom }));
    if (body.length + 65 > maxResultBytes) return false;
    const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      await mkdir(this.dir, { recursive: true });
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.write(`${createHash('sha256').update(body).digest('hex')}\n`);
        await fh.write(body);
      } finally {
        await fh.close();
      }
      await rename(tmp, this.#path(key));
      return true;
    } catch {
      await unlink(tmp).catch(() => undefined);
      return false;
    }
  }
}
