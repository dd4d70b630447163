// bosun sign / attest / verify round trips, and the hostile-registry regressions, against
// Debian's docker-registry on loopback (no referrers API there: the tag-schema index is used).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isBosunError } from '../../src/errors.js';
import type { Digest } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import * as remote from '../../src/oci/remote/index.js';
import { serializeBundle } from '../../src/sign/bundle.js';
import { cosignLayout, cosignTag } from '../../src/sign/cosign.js';
import { envelopeToJson, signEnvelope } from '../../src/sign/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, STATEMENT_V1, buildStatement, predicateTypeFor } from '../../src/sign/intoto.js';
import { signLimits } from '../../src/sign/limits.js';
import { appendLegacyLayer, attachBundleReferrer, bundleAnnotations } from '../../src/sign/oci/attach.js';
import { COSIGN_SIGN_PREDICATE_TYPE } from '../../src/sign/oci/attachments.js';
import { attestImage, signImage, type ImageSigner } from '../../src/sign/oci/sign-image.js';
import { verifyAttestationRef, verifyImageRef, type ImageVerificationReport } from '../../src/sign/oci/verify-ref.js';
import { VerificationCache } from '../../src/sign/oci/cache.js';
import { signData } from '../../src/sign/algorithms.js';
import { signStatementWithKey } from '../../src/sign/sign-blob.js';
import { buildSimpleSigning } from '../../src/sign/simple-signing.js';
import { loadTrustedRoot } from '../../src/sign/trusted-root.js';
import { ImageBuilder } from '../../src/oci/image-builder.js';
import { seedManifest } from '../helpers/registry-seed.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { productionRoot, sigstoreVectors } from './shared.js';

const insecure = { insecure: true };
const vulnPredicate = JSON.parse(readFileSync(path.join(sigstoreVectors, 'predicates', 'cosign-vuln-predicate.json'), 'utf8')) as Record<string, unknown>;
const vulnType = predicateTypeFor('vuln');

function newSigner(): ImageSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey };
}

let reg: TestRegistry;
let counter = 0;
const alice = newSigner();
const bob = newSigner();

/** Pushes a fresh one-file image and returns its tag reference and digest. */
async function freshImage(): Promise<{ ref: string; digest: Digest; repo: remote.Repository }> {
  const n = ++counter;
  const img = await new ImageBuilder().addEntries([{ path: `etc/id-${n}`, content: `image ${n}\n` }]).build();
  const ref = `${reg.host}/team/app:v${n}`;
  const desc = await remote.write(ref, img, insecure);
  return { ref, digest: desc.digest, repo: new remote.Repository(reg.host, 'team/app', 'pull,push', insecure) };
}
const verifyWith = (key: KeyObject, extra: { annotations?: Record<string, string> } = {}) => ({ policy: { key }, remote: insecure, ...extra });

before(async () => {
  reg = await startRegistry({ mode: 'http' });
});
after(async () => {
  await reg?.stop();
});

test('sign then verify: the tag is signed by digest, in both layouts', async () => {
  const { ref, digest, repo } = await freshImage();
  const signed = await signImage(ref, { signer: alice, remote: insecure });
  assert.equal(signed.digest, digest);
  assert.equal(signed.legacy?.tag, cosignTag(digest, 'sig'));
  assert.equal((await repo.referrers(digest)).source, 'tag');
  const report = await verifyImageRef(ref, verifyWith(alice.publicKey));
  assert.deepEqual(report.verified.map((v) => v.layout).sort(), ['legacy', 'referrer']);
  assert.equal((report.verified.find((v) => v.layout === 'referrer')!.payload as { predicateType: string }).predicateType, COSIGN_SIGN_PREDICATE_TYPE);
  await assert.rejects(verifyImageRef(ref, verifyWith(bob.publicKey)), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
});

test('two keys append to the same .sig manifest and both verify', async () => {
  const { ref, digest, repo } = await freshImage();
  await signImage(ref, { signer: alice, remote: insecure, bundleFormat: 'legacy' });
  await signImage(ref, { signer: bob, remote: insecure, bundleFormat: 'legacy' });
  const sig = JSON.parse((await repo.manifest(cosignTag(digest, 'sig')))!.raw.toString('utf8')) as { layers: unknown[] };
  assert.equal(sig.layers.length, 2);
  for (const who of [alice, bob]) assert.equal((await verifyImageRef(`${reg.host}/team/app@${digest}`, verifyWith(who.publicKey))).verified.length, 1);
  // Signing again with the same key and payload adds nothing.
  await signImage(ref, { signer: bob, remote: insecure, bundleFormat: 'legacy' });
  assert.equal((JSON.parse((await repo.manifest(cosignTag(digest, 'sig')))!.raw.toString('utf8')) as { layers: unknown[] }).layers.length, 2);
  assert.equal((await repo.referrers(digest)).source, 'none');
});

test('-a annotations are signed and filtered on, in both layouts', async () => {
  const { ref } = await freshImage();
  await signImage(ref, { signer: alice, remote: insecure, annotations: { env: 'prod' } });
  const ok = await verifyImageRef(ref, verifyWith(alice.publicKey, { annotations: { env: 'prod' } }));
  assert.equal(ok.verified.length, 2);
  await assert.rejects(verifyImageRef(ref, verifyWith(alice.publicKey, { annotations: { env: 'dev' } })), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
});

test('attest then verify-attestation: the statement names the digest and the exact type', async () => {
  const { ref, digest } = await freshImage();
  await attestImage(ref, vulnType, vulnPredicate, { signer: alice, remote: insecure });
  const report = await verifyAttestationRef(ref, vulnType, verifyWith(alice.publicKey));
  assert.deepEqual(report.verified.map((v) => v.layout).sort(), ['legacy', 'referrer']);
  for (const v of report.verified) {
    const st = v.payload as { _type: string; subject: { digest: { sha256: string } }[]; predicate: unknown };
    assert.equal(st._type, STATEMENT_V1);
    assert.equal(`sha256:${st.subject[0]!.digest.sha256}`, digest);
    assert.deepEqual(st.predicate, vulnPredicate);
    assert.equal(v.envelope?.payloadType, IN_TOTO_PAYLOAD_TYPE);
  }
  // Attestations are not signatures.
  await assert.rejects(verifyImageRef(ref, verifyWith(alice.publicKey)), (e) => isBosunError(e, 'SIGN_NO_SIGNATURES'));
});

test('CVE-2022-35929: an attestation of another predicateType never satisfies --type', async () => {
  const { ref } = await freshImage();
  await attestImage(ref, predicateTypeFor('custom'), { a: 1 }, { signer: alice, remote: insecure });
  for (const type of [vulnType, predicateTypeFor('slsaprovenance1'), 'https://cosign.sigstore.dev/attestation']) {
    await assert.rejects(verifyAttestationRef(ref, type, verifyWith(alice.publicKey)), (e) => isBosunError(e, 'SIGN_PREDICATE_TYPE_MISMATCH'));
  }
});

test('CVE-2026-39395: a validly signed but malformed statement is rejected, not half-trusted', async () => {
  const { ref, digest, repo } = await freshImage();
  await attestImage(ref, vulnType, vulnPredicate, { signer: alice, remote: insecure, bundleFormat: 'legacy' });
  const bad = { _type: STATEMENT_V1, subject: [{ name: 'x', digest: { sha256: digest.slice(7) } }], predicateType: vulnType, predicate: 'not an object' };
  const env = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(bad)), alice.privateKey);
  await appendLegacyLayer(repo, cosignTag(digest, 'att'), { blob: Buffer.from(JSON.stringify(envelopeToJson(env))), mediaType: cosignLayout.dsseMediaType, annotations: { predicateType: vulnType } });
  const report = await verifyAttestationRef(ref, vulnType, verifyWith(alice.publicKey));
  assert.equal(report.verified.length, 1);
  assert.deepEqual(report.rejected.map((r) => r.code), ['SIGN_STATEMENT_INVALID']);
});

test('a signature or statement about another digest is rejected (SIGN_SUBJECT_MISMATCH)', async () => {
  const a = await freshImage();
  const b = await freshImage();
  const payload = buildSimpleSigning(`${reg.host}/team/app`, b.digest);
  await appendLegacyLayer(a.repo, cosignTag(a.digest, 'sig'), { blob: payload, mediaType: cosignLayout.simpleSigningMediaType, annotations: { [cosignLayout.annotations.signature]: signData(alice.privateKey, payload).toString('base64') } });
  await assert.rejects(verifyImageRef(a.ref, verifyWith(alice.publicKey)), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED') && /SIGN_SUBJECT_MISMATCH/.test(e.message));
  await attestImage(b.ref, vulnType, vulnPredicate, { signer: alice, remote: insecure, bundleFormat: 'legacy' });
  const bAtt = (await a.repo.manifest(cosignTag(b.digest, 'att')))!;
  seedManifest(reg, 'team/app', bAtt.raw, cosignTag(a.digest, 'att'));
  await assert.rejects(verifyAttestationRef(a.ref, vulnType, verifyWith(alice.publicKey)), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED') && /SIGN_SUBJECT_MISMATCH/.test(e.message));
});

function fakeLayers(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => ({ mediaType: cosignLayout.simpleSigningMediaType, size: 10, digest: `sha256:${i.toString(16).padStart(64, '0')}`, annotations: { [cosignLayout.annotations.signature]: 'AA==' } }));
}

test('CVE-2023-46737: an endless signature list is refused before any blob is fetched', async () => {
  const { ref, digest } = await freshImage();
  const manifest = { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { mediaType: MediaTypes.ociConfig, size: 2, digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a' }, layers: fakeLayers(signLimits.imageAttachments + 1) };
  seedManifest(reg, 'team/app', Buffer.from(JSON.stringify(manifest)), cosignTag(digest, 'sig'));
  // The listed blobs do not exist: fetching any of them would give OCI_BLOB_UNKNOWN instead.
  await assert.rejects(verifyImageRef(ref, verifyWith(alice.publicKey)), (e) => isBosunError(e, 'LIMIT_EXCEEDED'));
});

test('CVE-2024-29902 / CVE-2024-29903: huge attachments are refused by size, the others still verify', async () => {
  const { ref, digest, repo } = await freshImage();
  await signImage(ref, { signer: alice, remote: insecure, bundleFormat: 'legacy' });
  const huge = Buffer.alloc(signLimits.signaturePayloadBytes + 1, 0x20);
  const pushed = await repo.pushBlob(huge, cosignLayout.simpleSigningMediaType);
  const sig = JSON.parse((await repo.manifest(cosignTag(digest, 'sig')))!.raw.toString('utf8')) as { layers: object[] };
  const declaredHuge = { ...pushed, size: 8 * 1024 ** 3, annotations: { [cosignLayout.annotations.signature]: 'AA==' } };
  const lyingSmall = { ...pushed, size: 300, annotations: { [cosignLayout.annotations.signature]: 'AA==' } };
  seedManifest(reg, 'team/app', Buffer.from(JSON.stringify({ ...sig, layers: [...sig.layers, declaredHuge, lyingSmall] })), cosignTag(digest, 'sig'));
  const report = await verifyImageRef(ref, verifyWith(alice.publicKey));
  assert.equal(report.verified.length, 1);
  assert.deepEqual(report.rejected.map((r) => r.code), ['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED']);
});

test('CVE-2024-45395: a bundle with an absurd number of log entries is rejected fast', async () => {
  const { ref, digest, repo } = await freshImage();
  await signImage(ref, { signer: alice, remote: insecure });
  const statement = buildStatement([{ name: 'x', digest }], COSIGN_SIGN_PREDICATE_TYPE, {});
  const json = JSON.parse(serializeBundle(signStatementWithKey(statement, alice.privateKey, alice.publicKey))) as { verificationMaterial: { tlogEntries: unknown[] } };
  const entry = { logIndex: '1', logId: { keyId: 'AA==' }, kindVersion: { kind: 'dsse', version: '0.0.1' }, integratedTime: '1', inclusionPromise: { signedEntryTimestamp: 'AA==' }, canonicalizedBody: 'e30=' };
  json.verificationMaterial.tlogEntries = Array.from({ length: 20_000 }, () => entry);
  const subject = { mediaType: MediaTypes.ociManifest, digest, size: 1 };
  const evil = await attachBundleReferrer(repo, subject, Buffer.from(JSON.stringify(json)), bundleAnnotations(COSIGN_SIGN_PREDICATE_TYPE, new Date()));
  const started = performance.now();
  const report = await verifyImageRef(ref, verifyWith(alice.publicKey));
  assert.ok(performance.now() - started < 2000);
  assert.equal(report.verified.length, 2);
  assert.deepEqual(report.rejected.map((r) => [r.where, r.code]), [[`referrer ${evil.digest}`, 'SIGN_BUNDLE_INVALID']]);
});

test('CVE-2026-22703: a genuine Rekor entry for another artifact does not vouch for this signature', async () => {
  const { ref, digest, repo } = await freshImage();
  const keyless = JSON.parse(readFileSync(path.join(sigstoreVectors, 'cosign-legacy-oci', 'manifests', 'sha256-31dc72a13a0c34b40eb95419d2b2fd67320c856baf3b72da518023ee8d370aee.sig.json'), 'utf8')) as { layers: { annotations: Record<string, string> }[] };
  const foreignEntry = keyless.layers[0]!.annotations[cosignLayout.annotations.bundle]!;
  const payload = buildSimpleSigning(`${reg.host}/team/app`, digest);
  const signature = signData(alice.privateKey, payload).toString('base64');
  await appendLegacyLayer(repo, cosignTag(digest, 'sig'), { blob: payload, mediaType: cosignLayout.simpleSigningMediaType, annotations: { [cosignLayout.annotations.signature]: signature, [cosignLayout.annotations.bundle]: foreignEntry } });
  const trustedRoot = await loadTrustedRoot(productionRoot);
  // The entry's SET is valid for rekor.sigstore.dev, but its body records another payload and key.
  await assert.rejects(verifyImageRef(ref, { policy: { key: alice.publicKey, trustedRoot }, remote: insecure }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
  // Without the transparency requirement the signature itself is fine: the entry is what fails.
  assert.equal((await verifyImageRef(ref, verifyWith(alice.publicKey))).verified.length, 1);
});

test('a cached verification is reused until a signature is added', async () => {
  const { ref } = await freshImage();
  await signImage(ref, { signer: alice, remote: insecure, bundleFormat: 'legacy' });
  const cache = new VerificationCache<ImageVerificationReport>();
  const first = await verifyImageRef(ref, { ...verifyWith(alice.publicKey), cache });
  assert.equal(await verifyImageRef(ref, { ...verifyWith(alice.publicKey), cache }), first);
  await signImage(ref, { signer: bob, remote: insecure, bundleFormat: 'legacy' });
  const after = await verifyImageRef(ref, { ...verifyWith(alice.publicKey), cache });
  assert.notEqual(after, first);
  assert.equal(after.rejected.length, 1);
  // Another policy never sees alice's cached result.
  await assert.rejects(verifyImageRef(ref, { policy: { key: newSigner().publicKey }, remote: insecure, cache }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
});
