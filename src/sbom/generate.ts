import type { LayerCache } from '../oci/layer-cache.js';
import { formatPlatform } from '../oci/manifest.js';
import { rootfsTree } from '../oci/rootfs.js';
import { squash, type SquashLimits } from '../oci/squash.js';
import type { Image } from '../oci/types.js';
import { catalog, catalogGlobs } from './catalog.js';
import type { Cataloger } from './cataloger.js';
import { defaultCatalogers } from './catalogers/index.js';
import type { Sbom, SbomSource } from './model.js';
import { SbomResultCache } from './result-cache.js';

/** What to build an SBOM of: an opened image (with what its source knows about it), or a directory. */
export type SbomTarget =
  | {
      kind: 'image';
      /** The name the user gave (reference, `oci:DIR:TAG`, …). */
      name: string;
      image: Image;
      repoTags?: readonly string[];
      repoDigests?: readonly string[];
    }
  | { kind: 'directory'; name: string; path: string };

export interface GenerateSbomOptions {
  /** Defaults to every cataloger in `catalogers/index.ts`. */
  catalogers?: readonly Cataloger[];
  /**
   * Per-layer results cache for images (see `squash`); none by default. It also keeps whole-image
   * results (`SbomResultCache`), so an image whose layer stack was cataloged before is not read.
   */
  layerCache?: LayerCache;
  /** Parent of squash's spill directory (default the OS temp dir). */
  tmpDir?: string;
  limits?: Partial<SquashLimits>;
  signal?: AbortSignal;
}

/** What `generateSbom` returns: the SBOM and how the image was read. */
export interface GeneratedSbom {
  sbom: Sbom;
  /** Layers replayed from the layer cache, or all of them on a whole-image hit (0 for directories or without a cache). */
  cachedLayers: number;
}

/**
 * Builds the SBOM of an image or a directory: asks the catalogers for their globs, reads the
 * image's layers once (or walks the directory), catalogs the tree and closes it. Every package
 * location of an image names the diffID of the layer its file came from. Throws what `squash`
 * or `rootfsTree` throw (OCI_*, LIMIT_EXCEEDED, ABORTED, IO_FAILED); bad files inside become
 * `problems`.
 */
export async function generateSbom(target: SbomTarget, opts: GenerateSbomOptions = {}): Promise<GeneratedSbom> {
  const catalogers = opts.catalogers ?? defaultCatalogers;
  const globs = catalogGlobs(catalogers);
  const signal = opts.signal ? { signal: opts.signal } : {};
  if (target.kind === 'directory') {
    const tree = await rootfsTree(target.path, globs, signal);
    try {
      const sbom = await catalog(tree, { source: { kind: 'directory', name: target.name }, catalogers, ...signal });
      return { sbom, cachedLayers: 0 };
    } finally {
      await tree.close();
    }
  }
  const source = await imageSource(target);
  const results = opts.layerCache ? new SbomResultCache(opts.layerCache) : undefined;
  const key = SbomResultCache.keyOf({ diffIds: source.layers ?? [], catalogers: catalogers.map((c) => c.name), globs, limits: opts.limits ?? {} });
  const hit = await results?.get(key);
  if (hit) return { sbom: { ...hit, source }, cachedLayers: source.layers?.length ?? 0 };
  await using tree = await squash(target.image, globs, {
    ...signal,
    ...(opts.layerCache ? { layerCache: opts.layerCache } : {}),
    ...(opts.tmpDir ? { tmpDir: opts.tmpDir } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  const sbom = await catalog(tree, { source, catalogers, ...signal });
  const problems = tree.problems.map((p) => ({ path: p.path, code: p.code, message: p.message, ...(p.layer ? { layer: p.layer } : {}) }));
  const { source: _source, ...content } = { ...sbom, problems: [...sbom.problems, ...problems].sort(compareProblems) };
  await results?.put(key, content);
  return { sbom: { ...content, source }, cachedLayers: tree.cachedLayers };
}

async function imageSource(t: Extract<SbomTarget, { kind: 'image' }>): Promise<SbomSource> {
  const [manifest, config, digest] = [await t.image.manifest(), await t.image.config(), await t.image.digest()];
  return {
    kind: 'image',
    name: t.name,
    digest,
    configDigest: manifest.config.digest,
    platform: formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) }),
    layers: [...config.rootfs.diff_ids],
    ...(t.repoTags?.length ? { repoTags: [...t.repoTags].sort() } : {}),
    ...(t.repoDigests?.length ? { repoDigests: [...t.repoDigests].sort() } : {}),
  };
}

function compareProblems(a: Sbom['problems'][number], b: Sbom['problems'][number]): number {
  const k = (p: typeof a) => [p.path, p.layer ?? '', p.code, p.message];
  const [x, y] = [k(a), k(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}
