import type { Readable } from 'node:stream';
import { BosunError } from '../../errors.js';
import { isDigest, type Digest } from '../digest.js';
import { limits } from '../limits.js';
import { isIndex } from '../media-types.js';
import { formatReference, identifierOf, parseReference, type Reference } from '../reference.js';
import type { Descriptor, Image, ImageIndex } from '../types.js';
import { discard } from './errors.js';
import type { RemoteOptions } from './options.js';
import { Session } from './session.js';

interface Blob {
  desc: Descriptor;
  open: Uint8Array | (() => Promise<Readable>);
}

const uploadConcurrency = 3;

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

// spec: distribution-spec "Pushing blobs": HEAD to skip, then a monolithic POST + PUT ?digest=.
async function uploadBlob(session: Session, blob: Blob, name: string): Promise<void> {
  const what = `blob ${blob.desc.digest} to ${name}`;
  const blobPath = `/v2/${session.repository}/blobs/${blob.desc.digest}`;
  const head = await session.request({ method: 'HEAD', path: blobPath, what: `HEAD ${what}`, expect: [200, 404] });
  discard(head.body);
  if (head.status === 200) return;
  const start = await session.request({
    method: 'POST', path: `/v2/${session.repository}/blobs/uploads/`, body: new Uint8Array(0),
    what: `POST ${what}`, expect: [202],
  });
  discard(start.body);
  const location = header(start.headers.location);
  if (!location) throw new BosunError('REGISTRY_PROTOCOL', `POST ${what}: upload started without a Location`);
  const url = new URL(location, start.url);
  url.searchParams.set('digest', blob.desc.digest);
  const put = await session.request({
    method: 'PUT', path: url, body: blob.open, what: `PUT ${what}`, expect: [201, 204],
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.desc.size) },
  });
  discard(put.body);
}

async function uploadAll(session: Session, blobs: Blob[], name: string): Promise<void> {
  const queue = [...blobs];
  const worker = async () => {
    for (let b = queue.shift(); b; b = queue.shift()) await uploadBlob(session, b, name);
  };
  await Promise.all(Array.from({ length: Math.min(uploadConcurrency, blobs.length) }, worker));
}

async function putManifest(session: Session, id: string, raw: Uint8Array, desc: Descriptor, name: string): Promise<void> {
  const what = `manifest ${name}`;
  const res = await session.request({
    method: 'PUT', path: `/v2/${session.repository}/manifests/${id}`, body: raw,
    headers: { 'content-type': desc.mediaType }, what: `PUT ${what}`, expect: [201, 200, 204],
  });
  discard(res.body);
  const got = header(res.headers['docker-content-digest']);
  if (got !== undefined && isDigest(got) && got !== desc.digest) {
    throw new BosunError('OCI_DIGEST_MISMATCH', `PUT ${what}: registry stored it as ${got}, expected ${desc.digest}`);
  }
}

async function pushImage(session: Session, img: Image, id: string, name: string): Promise<Descriptor> {
  const [manifest, raw, digest, layers] = await Promise.all([img.manifest(), img.rawManifest(), img.digest(), img.layers()]);
  const blobs: Blob[] = [{ desc: manifest.config, open: await img.rawConfig() }];
  // Foreign (non-distributable) layers live elsewhere by definition; registries do not store them.
  manifest.layers.forEach((desc, i) => {
    if (!desc.urls?.length) blobs.push({ desc, open: () => layers[i]!.compressed() });
  });
  await uploadAll(session, blobs, name);
  const desc = { mediaType: manifest.mediaType, digest, size: raw.byteLength };
  await putManifest(session, id, raw, desc, name);
  return desc;
}

async function pushIndex(session: Session, idx: ImageIndex, id: string, name: string, depth: number): Promise<Descriptor> {
  if (depth > limits.indexDepth) throw new BosunError('LIMIT_EXCEEDED', `${name}: indexes nested deeper than ${limits.indexDepth}`);
  const [index, raw, digest] = await Promise.all([idx.manifest(), idx.rawManifest(), idx.digest()]);
  for (const child of index.manifests) {
    if (isIndex(child.mediaType)) await pushIndex(session, await idx.index(child.digest), child.digest, name, depth + 1);
    else await pushImage(session, await idx.image(child.digest), child.digest, name);
  }
  const desc = { mediaType: index.mediaType, digest, size: raw.byteLength };
  await putManifest(session, id, raw, desc, name);
  return desc;
}

function isImage(x: Image | ImageIndex): x is Image {
  return typeof (x as Image).layers === 'function';
}

/**
 * Pushes an image or an index (children first, each by digest) to `ref`: each blob is HEADed
 * and skipped when present, otherwise uploaded with a monolithic POST + PUT; then the manifest
 * is PUT under the tag (or digest) with its own media type as Content-Type. Layers stream from
 * the source, verified as they go. Returns the descriptor of the pushed manifest.
 * Throws OCI_DIGEST_MISMATCH (the reference's digest or the registry disagrees), REGISTRY_*.
 */
export async function write(ref: string | Reference, target: Image | ImageIndex, opts: RemoteOptions = {}): Promise<Descriptor> {
  const r = typeof ref === 'string' ? parseReference(ref) : ref;
  const name = formatReference(r);
  const want: Digest | undefined = r.digest;
  const have = await target.digest();
  if (want && want !== have) throw new BosunError('OCI_DIGEST_MISMATCH', `${name}: the content's digest is ${have}`);
  const session = new Session(r.registry, r.repository, 'pull,push', opts);
  const id = r.tag ?? identifierOf(r);
  return isImage(target) ? pushImage(session, target, id, name) : pushIndex(session, target, id, name, 0);
}
