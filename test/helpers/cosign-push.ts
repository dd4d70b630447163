// Pushes images and cosign tag-layout signatures/attestations to a test registry, using bosun's
// own signing code (src/sign) and registry client (remote.write). Until `bosun sign` lands on
// main this is the minimal signing push the admission tests need.
//
//   const digest = await pushTestImage('127.0.0.1:5000/app:v1', 'seed');
//   await pushSignature('127.0.0.1:5000/app', digest, privateKey);
//   await pushAttestation('127.0.0.1:5000/app', digest, privateKey, predicateType, predicate);
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Digest } from '../../src/oci/digest.js';
import { ImageBuilder } from '../../src/oci/image-builder.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import * as remote from '../../src/oci/remote/index.js';
import type { Descriptor, Image } from '../../src/oci/types.js';
import { IN_TOTO_PAYLOAD_TYPE, buildSimpleSigning, buildStatement, cosignLayout, cosignTag, envelopeToJson, signEnvelope } from '../../src/sign/index.js';
import { signData } from '../../src/sign/algorithms.js';

const insecure = { insecure: true };

/** An ECDSA P-256 key pair (cosign's default) and its PKIX PEM public key. */
export function testKeyPair(): { privateKey: KeyObject; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

/** Pushes a one-layer image whose content depends on `seed`; returns its manifest digest. */
export async function pushTestImage(ref: string, seed: string): Promise<Digest> {
  const image = await new ImageBuilder().addEntries([{ path: 'etc/seed', content: seed }]).build();
  return (await remote.write(ref, image, insecure)).digest as Digest;
}

/** An artifact image (cosign `.sig`/`.att` manifest): one layer per blob, with annotations. */
function artifactImage(layers: ReadonlyArray<{ blob: Buffer; mediaType: string; annotations: Record<string, string> }>): Image {
  const blobs = new Map<string, Buffer>();
  const add = (b: Buffer, mediaType: string, annotations?: Record<string, string>): Descriptor => {
    const d: Descriptor = { mediaType, digest: `sha256:${createHash('sha256').update(b).digest('hex')}` as Digest, size: b.length, ...(annotations ? { annotations } : {}) };
    blobs.set(d.digest, b);
    return d;
  };
  const descs = layers.map((l) => add(l.blob, l.mediaType, l.annotations));
  const config = add(Buffer.from(JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: descs.map((d) => d.digest) } })), MediaTypes.ociConfig);
  const parsed = { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers: descs };
  const manifest = Buffer.from(JSON.stringify(parsed));
  // fromCore() refuses non-layer media types (simplesigning, DSSE), so this Image is hand-made
  // with just what remote.write reads.
  const image = {
    rawManifest: async () => manifest,
    manifest: async () => parsed,
    digest: async () => `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
    rawConfig: async () => blobs.get(config.digest)!,
    layers: async () => descs.map((d) => ({ compressed: async () => Readable.from([blobs.get(d.digest)!]), digest: async () => d.digest })),
  };
  return image as unknown as Image;
}

/** Signs `digest` (simple signing payload) with `key` and pushes it as `<repo>:sha256-<hex>.sig`. */
export async function pushSignature(repo: string, digest: Digest, key: KeyObject): Promise<void> {
  const payload = buildSimpleSigning(repo, digest);
  const signature = signData(key, payload).toString('base64');
  const image = artifactImage([{ blob: payload, mediaType: cosignLayout.simpleSigningMediaType, annotations: { [cosignLayout.annotations.signature]: signature } }]);
  await remote.write(`${repo}:${cosignTag(digest, 'sig')}`, image, insecure);
}

/** Signs an in-toto statement about `digest` in a DSSE envelope and pushes it as `<repo>:sha256-<hex>.att`. */
export async function pushAttestation(repo: string, digest: Digest, key: KeyObject, predicateType: string, predicate: Record<string, unknown>): Promise<void> {
  const statement = buildStatement([{ name: repo, digest }], predicateType, predicate);
  const env = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), key);
  const blob = Buffer.from(JSON.stringify(envelopeToJson(env)));
  const image = artifactImage([{ blob, mediaType: cosignLayout.dsseMediaType, annotations: { [cosignLayout.annotations.signature]: '', predicateType } }]);
  await remote.write(`${repo}:${cosignTag(digest, 'att')}`, image, insecure);
}
