import { PassThrough, type Readable } from 'node:stream';
import { BosunError, isBosunError } from '../../errors.js';
import { algorithmOf, digestOf, isDigest, verifyBytes, type Digest } from '../digest.js';
import { limits } from '../limits.js';
import { manifestAccept } from '../media-types.js';
import { readAll } from '../read-all.js';
import type { Descriptor } from '../types.js';
import { discard } from './errors.js';
import type { Session } from './session.js';

/** Manifest bytes as the registry stored them, verified against the digest they answer to. */
export interface FetchedManifest {
  raw: Buffer;
  digest: Digest;
  /** The Content-Type without parameters, when sent. */
  mediaType: string | undefined;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The media type of a Content-Type header, without parameters. */
export function mediaTypeOf(contentType: string | string[] | undefined): string | undefined {
  const v = header(contentType)?.split(';')[0]?.trim();
  return v ? v : undefined;
}

/** Re-emits a response body with transport failures turned into REGISTRY_UNAVAILABLE. */
export function guardBody(body: Readable, what: string): Readable {
  const out = new PassThrough();
  body.on('error', (err) => {
    if (err.name === 'AbortError' && !out.destroyed) {
      out.destroy(new BosunError('ABORTED', `${what}: cancelled`, { cause: err }));
      return;
    }
    out.destroy(isBosunError(err) ? err : new BosunError('REGISTRY_UNAVAILABLE', `${what}: connection lost while reading (${(err as NodeJS.ErrnoException).code ?? err.message})`, { cause: err }));
  });
  out.on('close', () => body.destroy());
  return body.pipe(out);
}

/**
 * Fetches a manifest by tag or digest with the Accept header for every supported type, under
 * the 4 MiB cap (a larger Content-Length is refused before reading). By digest, the bytes must
 * hash to it; by tag, they must hash to `Docker-Content-Digest` when the registry sends it.
 * `signal` cancels this request alone (ABORTED). Throws OCI_MANIFEST_UNKNOWN,
 * OCI_DIGEST_MISMATCH, LIMIT_EXCEEDED, REGISTRY_*.
 */
export async function fetchManifest(session: Session, id: string, name: string, signal?: AbortSignal): Promise<FetchedManifest> {
  const what = `manifest ${name}`;
  const res = await session.request({
    method: 'GET', path: `/v2/${session.repository}/manifests/${id}`, headers: { accept: manifestAccept },
    what: `GET ${what}`, expect: [200], notFound: 'OCI_MANIFEST_UNKNOWN', ...(signal ? { signal } : {}),
  });
  const declared = Number(header(res.headers['content-length']));
  if (declared > limits.manifestBytes) {
    discard(res.body);
    throw new BosunError('LIMIT_EXCEEDED', `${what}: ${declared} bytes is over the ${limits.manifestBytes}-byte manifest limit`);
  }
  const raw = await readAll(guardBody(res.body, what), limits.manifestBytes, what);
  const mediaType = mediaTypeOf(res.headers['content-type']);
  if (isDigest(id)) {
    verifyBytes(raw, id, what);
    return { raw, digest: id, mediaType };
  }
  const sent = header(res.headers['docker-content-digest']);
  if (sent !== undefined) {
    if (!isDigest(sent)) throw new BosunError('REGISTRY_PROTOCOL', `${what}: invalid Docker-Content-Digest header`);
    verifyBytes(raw, sent, `${what} (Docker-Content-Digest)`);
    if (algorithmOf(sent) === 'sha256') return { raw, digest: sent, mediaType };
  }
  return { raw, digest: digestOf(raw), mediaType };
}

/** Opens a blob's stored bytes (following redirects to storage). The caller verifies them. */
export async function openBlob(session: Session, desc: Descriptor, name: string, signal?: AbortSignal): Promise<Readable> {
  const what = `blob ${desc.digest} of ${name}`;
  const res = await session.request({
    method: 'GET', path: `/v2/${session.repository}/blobs/${desc.digest}`,
    what: `GET ${what}`, expect: [200], notFound: 'OCI_BLOB_UNKNOWN', ...(signal ? { signal } : {}),
  });
  return guardBody(res.body, what);
}
