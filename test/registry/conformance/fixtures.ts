// The content the conformance workflows push: one image per workflow (a config made unique by a
// random author, plus a shared gzip layer), a manifest without layers, a chunked blob, and a
// family of OCI 1.1 artifacts whose `subject` is image 4 (one points at the never-pushed image
// 3). The shapes follow the distribution-spec suite's test data (v1.1.1) so a registry sees the
// same kinds of documents; the bytes, names and types are bosun's own.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** Bytes with their digest. */
export interface Content {
  bytes: Buffer;
  digest: string;
}

export interface Fixtures {
  /** One image config per workflow slot (0 pull, 1 push, 2 discovery, 3 management, 4 referrer subject). */
  configs: Content[];
  /** The layer every image manifest lists. */
  layer: Content;
  /** manifests[i] is an OCI image manifest over configs[i] and the layer. */
  manifests: Content[];
  /** An image manifest with `layers: []` and no `mediaType` field (both allowed by image-spec). */
  emptyLayerManifest: Content;
  /** A blob pushed in one streamed PATCH. */
  blobA: Content;
  /** A blob pushed in two ranged PATCHes, split at `splitAt`. */
  blobB: Content & { splitAt: number };
  /** `{}`, the OCI empty descriptor's content. */
  emptyJson: Content;
  refBlobA: Content;
  refBlobB: Content;
  artifactTypeA: string;
  artifactTypeB: string;
  artifactTypeIndex: string;
  annotationKey: string;
  /** Referrers of manifests[4]: by config media type (A, B), by artifactType (A, B), and an index. */
  refs: { configA: Content; configB: Content; layerA: Content; layerB: Content; index: Content };
  /** A referrer of manifests[3], which is never pushed in the discovery workflow. */
  dangling: Content;
  /** The annotation each referrer of manifests[4] carries, by digest. */
  annotations: Map<string, string>;
  /** A well-formed digest no test ever pushes. */
  absentDigest: string;
}

const manifestType = 'application/vnd.oci.image.manifest.v1+json';
const indexType = 'application/vnd.oci.image.index.v1+json';
const emptyType = 'application/vnd.oci.empty.v1+json';

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Go's json.MarshalIndent(v, "", "\t") layout, as the suite sends it. */
function content(doc: unknown): Content {
  const bytes = Buffer.from(JSON.stringify(doc, null, '\t'));
  return { bytes, digest: sha256(bytes) };
}

function raw(bytes: Buffer): Content {
  return { bytes, digest: sha256(bytes) };
}

function descriptor(mediaType: string, c: Content, extra: Record<string, unknown> = {}) {
  return { mediaType, digest: c.digest, size: c.bytes.length, ...extra };
}

function imageConfig(): Content {
  return content({ author: `bosun-${randomBytes(12).toString('base64url')}`, architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
}

/**
 * The config descriptor embeds the config (`data`) and a field no spec defines: a registry
 * must store and serve such a manifest byte for byte.
 */
function imageManifest(config: Content, layers: unknown[], withMediaType = true): Content {
  const configDesc = descriptor('application/vnd.oci.image.config.v1+json', config, {
    data: config.bytes.toString('base64'),
    bosunUnknownField: Buffer.from('not in any spec').toString('base64'),
  });
  return content({ schemaVersion: 2, ...(withMediaType ? { mediaType: manifestType } : {}), config: configDesc, layers });
}

function artifact(fx: { subject: Content; artifactType?: string; config: unknown; layers: unknown[]; note?: string; key: string }): Content {
  return content({
    schemaVersion: 2,
    mediaType: manifestType,
    ...(fx.artifactType ? { artifactType: fx.artifactType } : {}),
    config: fx.config,
    layers: fx.layers,
    subject: descriptor(manifestType, fx.subject),
    ...(fx.note ? { annotations: { [fx.key]: fx.note } } : {}),
  });
}

/** Fresh fixtures: configs (and so every manifest digest) differ on each call. */
export function makeFixtures(): Fixtures {
  const configs = [0, 1, 2, 3, 4].map(imageConfig);
  const layer = raw(gzipSync(Buffer.from('bosun conformance layer: a file would be here\n')));
  const layerDesc = descriptor('application/vnd.oci.image.layer.v1.tar+gzip', layer);
  const manifests = configs.map((c) => imageManifest(c, [layerDesc]));
  const emptyJson = raw(Buffer.from('{}'));
  const emptyDesc = descriptor(emptyType, emptyJson);
  const refBlobA = raw(Buffer.from('first referrer payload, bosun conformance'));
  const refBlobB = raw(Buffer.from('second referrer payload, bosun conformance'));
  const artifactTypeA = 'application/vnd.bosun.conformance.alpha';
  const artifactTypeB = 'application/vnd.bosun.conformance.beta';
  const artifactTypeIndex = 'application/vnd.bosun.conformance.bundle';
  const key = 'dev.bosun.conformance.note';
  const subject = manifests[4]!;
  const members = {
    configA: artifact({ subject, key, note: 'config-typed alpha', config: descriptor(artifactTypeA, refBlobA), layers: [emptyDesc] }),
    configB: artifact({ subject, key, note: 'config-typed beta', config: descriptor(artifactTypeB, refBlobB), layers: [emptyDesc] }),
    layerA: artifact({ subject, key, note: 'artifactType alpha', artifactType: artifactTypeA, config: emptyDesc, layers: [descriptor(artifactTypeA, refBlobA)] }),
    layerB: artifact({ subject, key, note: 'artifactType beta', artifactType: artifactTypeB, config: emptyDesc, layers: [descriptor(artifactTypeB, refBlobB)] }),
  };
  const index = content({
    schemaVersion: 2,
    mediaType: indexType,
    artifactType: artifactTypeIndex,
    manifests: [descriptor(manifestType, members.configA), descriptor(manifestType, members.layerA)],
    subject: descriptor(manifestType, subject),
    annotations: { [key]: 'index alpha' },
  });
  const refs = { ...members, index };
  const dangling = artifact({ subject: manifests[3]!, key, artifactType: artifactTypeB, config: emptyDesc, layers: [descriptor(artifactTypeB, refBlobB)] });
  const annotations = new Map<string, string>([
    [refs.configA.digest, 'config-typed alpha'],
    [refs.configB.digest, 'config-typed beta'],
    [refs.layerA.digest, 'artifactType alpha'],
    [refs.layerB.digest, 'artifactType beta'],
    [refs.index.digest, 'index alpha'],
  ]);
  const b = randomBytes(42);
  return {
    configs, layer, manifests,
    emptyLayerManifest: imageManifest(configs[1]!, [], false),
    blobA: raw(randomBytes(42)),
    blobB: { ...raw(b), splitAt: 22 },
    emptyJson, refBlobA, refBlobB, artifactTypeA, artifactTypeB, artifactTypeIndex,
    annotationKey: key, refs, dangling, annotations,
    absentDigest: sha256(Buffer.from(`never pushed ${randomUUID()}`)),
  };
}

/** A chunked blob of `size` random bytes split just past the middle (for OCI-Chunk-Min-Length). */
export function chunkedBlob(size: number): Content & { splitAt: number } {
  return { ...raw(randomBytes(size)), splitAt: Math.floor(size / 2) + 1 };
}
