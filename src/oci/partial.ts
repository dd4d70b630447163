import type { Readable } from 'node:stream';
import { BosunError } from '../errors.js';
import { decompress, type DecompressLimits } from './decompress.js';
import { digestOf, verifyBytes, VerifyingStream, type Digest } from './digest.js';
import { limits } from './limits.js';
import { parseConfig, parseManifest } from './manifest.js';
import { layerCompression } from './media-types.js';
import { readAll } from './read-all.js';
import type { Descriptor, Image, ImageConfig, ImageCore, Layer, Manifest } from './types.js';
import { pipeThrough } from './pipe-through.js';

export interface FromCoreOptions {
  /** Names the image in messages (a reference or a path). */
  name: string;
  decompressLimits?: DecompressLimits;
  /** Verify each layer's uncompressed content against its diffID (default true). */
  verifyDiffIds?: boolean;
}

/** Opens a blob and verifies it against its descriptor's digest and size as it streams. */
export async function openVerified(core: ImageCore, desc: Descriptor, what: string): Promise<Readable> {
  return pipeThrough(await core.openBlob(desc), new VerifyingStream(desc.digest, what, desc.size));
}

function memo<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

function makeLayer(core: ImageCore, desc: Descriptor, diffId: Digest, opts: FromCoreOptions, index: number): Layer {
  const what = `${opts.name}: layer ${index} (${desc.digest})`;
  if (layerCompression(desc.mediaType) === undefined) {
    throw new BosunError('OCI_LAYER_UNSUPPORTED', `${what}: unsupported layer media type "${desc.mediaType}"`);
  }
  return {
    digest: async () => desc.digest,
    diffId: async () => diffId,
    size: async () => desc.size,
    mediaType: async () => desc.mediaType,
    compressed: () => openVerified(core, desc, what),
    uncompressed: async () => {
      const plain = decompress(await openVerified(core, desc, what), what, opts.decompressLimits);
      if (opts.verifyDiffIds === false) return plain;
      return pipeThrough(plain, new VerifyingStream(diffId, `${what} uncompressed`));
    },
  };
}

/**
 * Derives a full `Image` from a source's core. Every blob is verified against its descriptor
 * (digest and size) as it is read; layers are also verified against the config's diffIDs.
 * Throws OCI_MANIFEST_INVALID when the core's manifest is an index (select a platform first).
 */
export function fromCore(core: ImageCore, opts: FromCoreOptions): Image {
  const rawManifest = memo(() => core.rawManifest());
  const manifest = memo(async (): Promise<Manifest> => {
    const raw = await rawManifest();
    if (core.manifestDigest) verifyBytes(raw, await core.manifestDigest(), `${opts.name}: manifest`);
    const parsed = parseManifest(raw, `${opts.name}: manifest`);
    if (parsed.kind !== 'manifest') {
      throw new BosunError('OCI_MANIFEST_INVALID', `${opts.name}: expected an image manifest, found an index`);
    }
    return parsed.manifest;
  });
  const rawConfig = memo(async () => {
    const m = await manifest();
    if (m.config.size > limits.configBytes) {
      throw new BosunError('LIMIT_EXCEEDED', `${opts.name}: config of ${m.config.size} bytes is over the limit`);
    }
    return readAll(await openVerified(core, m.config, `${opts.name}: config`), limits.configBytes, `${opts.name}: config`);
  });
  const config = memo(async (): Promise<ImageConfig> => parseConfig(await rawConfig(), `${opts.name}: config`));
  const layers = memo(async (): Promise<readonly Layer[]> => {
    const [m, c] = await Promise.all([manifest(), config()]);
    const diffIds = c.rootfs.diff_ids;
    if (diffIds.length !== m.layers.length) {
      throw new BosunError('OCI_MANIFEST_INVALID', `${opts.name}: manifest has ${m.layers.length} layers but config lists ${diffIds.length} diff_ids`);
    }
    return m.layers.map((d, i) => makeLayer(core, d, diffIds[i]!, opts, i));
  });
  return {
    rawManifest,
    manifest,
    rawConfig,
    config,
    layers,
    digest: async () => {
      await manifest(); // verifies the bytes against the digest the source addressed them by
      return core.manifestDigest ? core.manifestDigest() : digestOf(await rawManifest());
    },
  };
}
