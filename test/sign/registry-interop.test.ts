// Real cosign material in a real registry: connaisseur's `.sig` manifests and cosign's OCI 1.1
// referrer attestation, served byte-exact by Debian's docker-registry (distribution 2.8, which
// has no referrers API, so the `sha256-<hex>` tag index is what bosun reads there).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isBosunError } from '../../src/errors.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import * as remote from '../../src/oci/remote/index.js';
import { identityPolicy } from '../../src/sign/identity.js';
import { loadPublicKey } from '../../src/sign/keys/load.js';
import { attachBundleReferrer, bundleAnnotations } from '../../src/sign/oci/attach.js';
import { verifyAttestationRef, verifyImageRef } from '../../src/sign/oci/verify-ref.js';
import { loadTrustedRoot } from '../../src/sign/trusted-root.js';
import { seedManifest } from '../helpers/registry-seed.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { twoLayerImage } from '../helpers/oci-image.js';
import { productionRoot, sigstoreVectors } from './shared.js';

const legacyDir = path.join(sigstoreVectors, 'cosign-legacy-oci');
const attestation = path.join(sigstoreVectors, 'cosign-oci-attestation', 'oci-attestation.sigstore.json');
const repoName = 'securesystemsengineering/testimage';
const key = (name: string) => loadPublicKey(path.join(legacyDir, 'keys', `${name}.pub`));
const insecure = { insecure: true };

let reg: TestRegistry;
let image: (tag: string) => string;
before(async () => {
  reg = await startRegistry({ mode: 'http' });
  image = (tag) => `${reg.host}/${repoName}:${tag}`;
  const repo = new remote.Repository(reg.host, repoName, 'pull,push', insecure);
  // Payload blobs go through the API; manifests are seeded (their config/layer blobs are not in the vectors).
  for (const f of readdirSync(path.join(legacyDir, 'blobs'))) {
    const pushed = await repo.pushBlob(readFileSync(path.join(legacyDir, 'blobs', f)), 'application/octet-stream');
    assert.equal(pushed.digest, f.replace('-', ':'));
  }
  for (const f of readdirSync(path.join(legacyDir, 'manifests')).filter((n) => n !== 'co-unsigned.json')) {
    seedManifest(reg, repoName, readFileSync(path.join(legacyDir, 'manifests', f)), f.replace(/\.json$/, ''));
  }
  await remote.write(`${reg.host}/${repoName}:unsigned`, await twoLayerImage(), insecure);
});
after(async () => {
  await reg?.stop();
});

test('alice verifies alice\'s image, and only alice\'s key does', async () => {
  const report = await verifyImageRef(image('multi-cosigned-alice'), { policy: { key: await key('alice') }, remote: insecure });
  assert.equal(report.verified.length, 1);
  assert.equal(report.digest, `sha256:${createHash('sha256').update(readFileSync(path.join(legacyDir, 'manifests', 'multi-cosigned-alice.json'))).digest('hex')}`);
  assert.deepEqual((report.verified[0]!.payload as { critical: { image: Record<string, string> } }).critical.image, { 'docker-manifest-digest': report.digest });
  for (const other of ['bob', 'charlie', 'default']) {
    await assert.rejects(verifyImageRef(image('multi-cosigned-alice'), { policy: { key: await key(other) }, remote: insecure }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
  }
});

test('alice, bob and charlie each verify one distinct layer of the three-signer image', async () => {
  const layers = new Set<string>();
  for (const name of ['alice', 'bob', 'charlie']) {
    const report = await verifyImageRef(image('multi-cosigned-alice-bob-charlie'), { policy: { key: await key(name) }, remote: insecure });
    assert.equal(report.verified.length, 1);
    assert.equal(report.rejected.length, 2);
    const rejectedIdx = report.rejected.map((r) => r.message).join('|');
    layers.add(`${name}:${rejectedIdx}`);
  }
  assert.equal(layers.size, 3);
});

test('the legacy keyless signature verifies against the production root at its signing time', async () => {
  const policy = { identity: identityPolicy({ identity: 'philipp.belitz@securesystems.de', issuer: 'https://github.com/login/oauth' }), trustedRoot: await loadTrustedRoot(productionRoot) };
  const report = await verifyImageRef(image('keyless'), { policy, remote: insecure });
  assert.deepEqual(report.verified.map((v) => v.signer), [{ kind: 'certificate', subject: 'philipp.belitz@securesystems.de', issuer: 'https://github.com/login/oauth' }]);
  assert.equal(report.verified[0]!.transparencyChecked, true);
  const wrong = { ...policy, identity: identityPolicy({ identity: 'someone@securesystems.de', issuer: 'https://github.com/login/oauth' }) };
  await assert.rejects(verifyImageRef(image('keyless'), { policy: wrong, remote: insecure }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
});

test('an unsigned image gives "no signatures found"', async () => {
  await assert.rejects(verifyImageRef(image('unsigned'), { policy: { key: await key('alice') }, remote: insecure }), (e) => isBosunError(e, 'SIGN_NO_SIGNATURES'));
  await assert.rejects(verifyAttestationRef(image('unsigned'), 'https://cosign.sigstore.dev/attestation/v1', { policy: { key: await key('alice') }, remote: insecure }), (e) => isBosunError(e, 'SIGN_NO_SIGNATURES'));
});

test('cosign\'s OCI 1.1 referrer attestation verifies with its identity and type only', async () => {
  const repo = new remote.Repository(reg.host, 'cosign/empty', 'pull,push', insecure);
  // go-containerregistry's empty.Image, the subject of the recorded attestation.
  const config = Buffer.from('{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}');
  const cfg = await repo.pushBlob(config, MediaTypes.dockerConfig);
  const manifest = Buffer.from(`{"schemaVersion":2,"mediaType":"${MediaTypes.dockerManifest}","config":{"mediaType":"${MediaTypes.dockerConfig}","size":${cfg.size},"digest":"${cfg.digest}"},"layers":[]}`);
  const subject = (await repo.pushManifest('latest', manifest, MediaTypes.dockerManifest)).descriptor;
  assert.equal(subject.digest, 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4');
  await attachBundleReferrer(repo, subject, readFileSync(attestation), bundleAnnotations('https://cosign.sigstore.dev/attestation/v1', new Date(0)));
  assert.equal((await repo.referrers(subject.digest)).source, 'tag');

  const root = await loadTrustedRoot(productionRoot);
  const policy = (identity: string) => ({ identity: identityPolicy({ identity, issuer: 'https://github.com/login/oauth' }), trustedRoot: root });
  const ref = `${reg.host}/cosign/empty:latest`;
  const report = await verifyAttestationRef(ref, 'https://cosign.sigstore.dev/attestation/v1', { policy: policy('cody@soyland.com'), remote: insecure });
  assert.equal(report.verified.length, 1);
  assert.equal(report.verified[0]!.layout, 'referrer');
  assert.equal(report.verified[0]!.signer.subject, 'cody@soyland.com');
  await assert.rejects(verifyAttestationRef(ref, 'https://cosign.sigstore.dev/attestation/v1', { policy: policy('mallory@soyland.com'), remote: insecure }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
  await assert.rejects(verifyAttestationRef(ref, 'https://slsa.dev/provenance/v1', { policy: policy('cody@soyland.com'), remote: insecure }), (e) => isBosunError(e, 'SIGN_PREDICATE_TYPE_MISMATCH'));
  // An attestation is never taken for a signature of the image.
  await assert.rejects(verifyImageRef(ref, { policy: policy('cody@soyland.com'), remote: insecure }), (e) => isBosunError(e, 'SIGN_NO_SIGNATURES'));
});
