// Pushes small test images, and cosign 2.x tag-layout signatures and attestations of them, to a
// test registry through bosun's own image builder and signing code (src/sign/oci).
//
//   const key = testKeyPair();
//   const digest = await pushTestImage('127.0.0.1:5000/app:v1', 'seed');
//   await pushSignature('127.0.0.1:5000/app', digest, key);
//   await pushAttestation('127.0.0.1:5000/app', digest, key, predicateType, predicate);
import { generateKeyPairSync } from 'node:crypto';
import type { Digest } from '../../src/oci/digest.js';
import { ImageBuilder } from '../../src/oci/image-builder.js';
import * as remote from '../../src/oci/remote/index.js';
import { attestImage, signImage, type ImageSigner } from '../../src/sign/oci/index.js';

const insecure = { insecure: true };
/** Only the `.sig`/`.att` tags (what Kyverno and cosign 2.x read), over plain HTTP. */
const legacyLayout = { remote: insecure, bundleFormat: 'legacy' } as const;

/** An ECDSA P-256 key pair (cosign's default) and its PKIX PEM public key. */
export function testKeyPair(): ImageSigner & { publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

/** Pushes a one-layer image whose content depends on `seed`; returns its manifest digest. */
export async function pushTestImage(ref: string, seed: string): Promise<Digest> {
  const image = await new ImageBuilder().addEntries([{ path: 'etc/seed', content: seed }]).build();
  return (await remote.write(ref, image, insecure)).digest as Digest;
}

/** Signs `digest` (simple signing payload) with `key` and pushes it as `<repo>:sha256-<hex>.sig`. */
export async function pushSignature(repo: string, digest: Digest, key: ImageSigner): Promise<void> {
  await signImage(`${repo}@${digest}`, { signer: key, ...legacyLayout });
}

/** Signs an in-toto statement about `digest` in a DSSE envelope and pushes it as `<repo>:sha256-<hex>.att`. */
export async function pushAttestation(repo: string, digest: Digest, key: ImageSigner, predicateType: string, predicate: Record<string, unknown>): Promise<void> {
  await attestImage(`${repo}@${digest}`, predicateType, predicate, { signer: key, ...legacyLayout });
}
