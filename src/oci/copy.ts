import { BosunError } from '../errors.js';
import * as archive from './archive.js';
import type { Digest } from './digest.js';
import * as layout from './layout.js';
import { parseLocalSource } from './local-source.js';
import { openImage, type OpenImageOptions } from './open.js';
import * as remote from './remote/index.js';
import type { Image } from './types.js';

/** Where `copy` writes: `oci:DIR[:TAG]`, `docker-archive:FILE[:REPO:TAG]`, or a registry reference. */
export async function writeImage(image: Image, dest: string, opts: Pick<OpenImageOptions, 'insecure' | 'caFile' | 'auth' | 'signal'> = {}): Promise<Digest> {
  const local = parseLocalSource(dest);
  if (local?.transport === 'oci') {
    if (local.digest) throw new BosunError('INPUT_INVALID', `"${dest}": a destination takes a tag, not a digest`);
    return (await layout.write(local.dir, image, { ...(local.tag ? { tag: local.tag } : {}), ...(opts.signal ? { signal: opts.signal } : {}) })).digest;
  }
  if (local?.transport === 'docker-archive') {
    if (local.index !== undefined) throw new BosunError('INPUT_INVALID', `"${dest}": a destination takes REPO:TAG, not @N`);
    await archive.write(local.file, image, { tags: local.ref ? [local.ref] : [], ...(opts.signal ? { signal: opts.signal } : {}) });
    // An archive stores layers uncompressed, so its digest is its own: read it back.
    const written = await archive.image(local.file);
    try {
      return await written.digest();
    } finally {
      await written.close();
    }
  }
  const ref = dest.startsWith('docker://') ? dest.slice('docker://'.length) : dest;
  return (await remote.write(ref, image, { insecure: opts.insecure, caFile: opts.caFile, auth: opts.auth, signal: opts.signal })).digest;
}

/**
 * Copies one image (the selected platform) from any source to any destination, as
 * `skopeo copy` does. Returns the digest of what was written (a docker-archive stores layers
 * uncompressed, so its digest differs from a compressed source's; see docs/image-sources.md).
 */
export async function copy(src: string | undefined, dest: string, opts: OpenImageOptions = {}): Promise<{ source: Digest; written: Digest }> {
  const opened = await openImage(src, opts);
  try {
    const source = await opened.image.digest();
    return { source, written: await writeImage(opened.image, dest, opts) };
  } finally {
    await opened.close();
  }
}
