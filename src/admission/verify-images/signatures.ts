import { BosunError, isBosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import * as remote from '../../oci/remote/index.js';
import type { RemoteOptions } from '../../oci/remote/index.js';
import type { Reference } from '../../oci/reference.js';
import { openVerified } from '../../oci/partial.js';
import type { ImageCore } from '../../oci/types.js';
import type { SignatureMaterial } from '../../sign/index.js';
import { cosignTag, signLimits } from '../../sign/index.js';

/**
 * Where signature material comes from. The default reads cosign's tag layout
 * (`<repo>:sha256-<hex>.sig` / `.att`); tests and other layouts plug in here.
 */
export interface SignatureSource {
  /** Material stored for `digest` in `repo`; an empty list when there is none. */
  find(repo: Pick<Reference, 'registry' | 'repository'>, digest: Digest, kind: 'sig' | 'att', signal?: AbortSignal): Promise<SignatureMaterial[]>;
}

const maxLayerBytes = 4 * 1024 * 1024;

/** Reads cosign `.sig` / `.att` manifests with the registry client; `optionsFor(registry)` gives TLS/auth. */
export function cosignTagSource(optionsFor: (registry: string) => RemoteOptions): SignatureSource {
  return {
    async find(repo, digest, kind, signal) {
      const ref: Reference = { registry: repo.registry, repository: repo.repository, tag: cosignTag(digest, kind) };
      const opts = { ...optionsFor(repo.registry), ...(signal ? { signal } : {}) };
      // Signature layers are not filesystem layers (fromCore refuses their media types), so the
      // raw core is captured and each blob is read through openVerified (digest and size checked).
      let core: ImageCore | undefined;
      let got;
      try {
        got = await remote.get(ref, { ...opts, decorate: (c) => (core = c) });
      } catch (err) {
        if (isBosunError(err, 'OCI_MANIFEST_UNKNOWN')) return [];
        throw err;
      }
      if (got.kind !== 'image' || !core) throw new BosunError('SIGN_BUNDLE_INVALID', `${repo.repository}:${ref.tag} is not an image manifest`);
      const manifest = await got.image.manifest();
      if (manifest.layers.length > signLimits.entries) {
        throw new BosunError('LIMIT_EXCEEDED', `${repo.repository}:${ref.tag} has ${manifest.layers.length} layers, more than the ${signLimits.entries} bosun checks`);
      }
      const out: SignatureMaterial[] = [];
      for (const [i, desc] of manifest.layers.entries()) {
        if (desc.size > maxLayerBytes) throw new BosunError('LIMIT_EXCEEDED', `signature layer ${desc.digest} is ${desc.size} bytes`);
        const payload = await readAll(await openVerified(core, desc, `${repo.repository}:${ref.tag} layer ${i}`));
        out.push({ kind: 'legacy', payload, annotations: desc.annotations ?? {}, mediaType: desc.mediaType });
      }
      return out;
    },
  };
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    size += c.length;
    if (size > maxLayerBytes) throw new BosunError('LIMIT_EXCEEDED', `signature layer larger than ${maxLayerBytes} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
