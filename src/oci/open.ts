import type { Readable } from 'node:stream';
import { BosunError } from '../errors.js';
import type { BlobCache } from './blob-cache.js';
import { withBlobCache } from './blob-cache.js';
import type { Digest } from './digest.js';
import { openLocalImage, parseLocalSource } from './local-source.js';
import { formatPlatform, parsePlatform } from './manifest.js';
import { isImageManifest } from './media-types.js';
import { parseReference } from './reference.js';
import * as remote from './remote/index.js';
import type { Credentials } from './remote/options.js';
import type { Image, ImageCore, Platform } from './types.js';

/** How to open an image named on the command line. */
export interface OpenImageOptions {
  /** Trivy's `--input FILE|-|DIR` (instead of an argument). */
  input?: string;
  platform?: Platform | string;
  insecure?: boolean;
  caFile?: string;
  auth?: Credentials;
  /** Blobs fetched from registries go through this cache (local sources never do). */
  cache?: BlobCache;
  /** Wraps each source's blob reads (progress reporting); applied outside the cache. */
  track?: (core: ImageCore, name: string) => ImageCore;
  stdin?: () => Readable;
  signal?: AbortSignal;
}

/** An opened image. `close()` removes temporary copies (spooled archives); always call it. */
export interface OpenedImage {
  name: string;
  image: Image;
  /** Set when the image was selected from a multi-platform index. */
  index?: { digest: Digest; platforms: string[] };
  /** `repo:tag` names the source gives the image, where known (a docker-archive's RepoTags). */
  repoTags?: string[];
  /** `repo@digest` names of the image (registry sources: the index digest when one was resolved). */
  repoDigests?: string[];
  close(): Promise<void>;
}

/**
 * Opens an image from what a user typed: a registry reference (also `docker://REF`),
 * `oci:DIR[:TAG|@DIGEST]`, `docker-archive:FILE[:REF|:@N]`, or `--input FILE|-|DIR`.
 * Throws INPUT_INVALID for an argument together with --input, and whatever the source throws.
 */
export async function openImage(arg: string | undefined, opts: OpenImageOptions = {}): Promise<OpenedImage> {
  const platform = typeof opts.platform === 'string' ? parsePlatform(opts.platform) : opts.platform;
  const spec = pickSpec(arg, opts.input);
  if (opts.input !== undefined || parseLocalSource(spec) !== undefined) {
    const opened = await openLocalImage(spec, { platform, ...(opts.stdin ? { stdin: opts.stdin } : {}) });
    const name = spec === '-' ? 'stdin' : spec;
    return { name, image: opened.image, ...(opened.repoTags?.length ? { repoTags: opened.repoTags } : {}), close: () => opened.close() };
  }
  const reference = spec.startsWith('docker://') ? spec.slice('docker://'.length) : spec;
  const decorate = (core: ImageCore, name: string) => {
    const cached = opts.cache ? withBlobCache(core, opts.cache) : core;
    return opts.track ? opts.track(cached, name) : cached;
  };
  const ropts = { platform, insecure: opts.insecure, caFile: opts.caFile, auth: opts.auth, signal: opts.signal, decorate };
  const got = await remote.get(reference, ropts);
  const noop = async () => {};
  const ref = parseReference(reference);
  const repo = `${ref.registry}/${ref.repository}`;
  const names = (digest: Digest) => ({ ...(ref.tag !== undefined ? { repoTags: [`${repo}:${ref.tag}`] } : {}), repoDigests: [`${repo}@${digest}`] });
  if (got.kind === 'image') return { name: reference, image: got.image, ...names(await got.image.digest()), close: noop };
  const idx = await got.index.manifest();
  const platforms = idx.manifests
    .filter((d) => isImageManifest(d.mediaType) && d.platform && d.platform.os !== 'unknown')
    .map((d) => formatPlatform(d.platform!));
  const image = await remote.image(reference, ropts);
  const indexDigest = await got.index.digest();
  return { name: reference, image, index: { digest: indexDigest, platforms }, ...names(indexDigest), close: noop };
}

function pickSpec(arg: string | undefined, input: string | undefined): string {
  if (input !== undefined && arg) {
    throw new BosunError('INPUT_INVALID', `give either an image argument ("${arg}") or --input, not both`);
  }
  const spec = input ?? arg;
  if (!spec) throw new BosunError('INPUT_INVALID', 'no image given: name a reference, oci:DIR, docker-archive:FILE, or use --input FILE');
  return spec;
}
