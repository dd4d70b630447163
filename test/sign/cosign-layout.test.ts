import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isBosunError } from '../../src/errors.js';
import type { Digest } from '../../src/oci/digest.js';
import { bundleFromJSON } from '@sigstore/bundle';
import { cosignTag } from '../../src/sign/cosign.js';
import { envelopeToJson, signEnvelope } from '../../src/sign/dsse.js';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, predicateTypeFor } from '../../src/sign/intoto.js';
import { identityPolicy } from '../../src/sign/identity.js';
import { loadPublicKey } from '../../src/sign/keys/load.js';
import { buildSimpleSigning, parseSimpleSigning } from '../../src/sign/simple-signing.js';
import { loadTrustedRoot } from '../../src/sign/trusted-root.js';
import type { SignatureMaterial } from '../../src/sign/verify-image.js';
import { verifyImageAttestations, verifyImageSignatures } from '../../src/sign/verify-image.js';
import { productionRoot, sigstoreVectors } from './shared.js';

// connaisseur's mini registry of real cosign `.sig` manifests (see the vectors README). This
// reads the stored files the way the registry client will fetch them.
const dir = path.join(sigstoreVectors, 'cosign-legacy-oci');
const keys = (name: string) => loadPublicKey(path.join(dir, 'keys', `${name}.pub`));
function imageDigest(tag: string): Digest {
  return `sha256:${createHash('sha256').update(readFileSync(path.join(dir, 'manifests', `${tag}.json`))).digest('hex')}`;
}
function signaturesFor(digest: Digest): SignatureMaterial[] {
  const sigManifest = JSON.parse(readFileSync(path.join(dir, 'manifests', `${cosignTag(digest, 'sig')}.json`), 'utf8'));
  return sigManifest.layers.map((l: { digest: string; annotations: Record<string, string> }) => ({
    kind: 'legacy',
    payload: readFileSync(path.join(dir, 'blobs', l.digest.replace(':', '-'))),
    annotations: l.annotations,
  }));
}

test('cosignTag names the .sig/.att/.sbom tags', () => {
  const d: Digest = `sha256:${'ab'.repeat(32)}`;
  assert.equal(cosignTag(d, 'sig'), `sha256-${'ab'.repeat(32)}.sig`);
  assert.equal(cosignTag(d, 'att'), `sha256-${'ab'.repeat(32)}.att`);
});

test('simple-signing payload round-trip', () => {
  const d: Digest = `sha256:${'cd'.repeat(32)}`;
  const p = parseSimpleSigning(buildSimpleSigning('registry.example/app', d));
  assert.equal(p.manifestDigest, d);
  assert.equal(p.dockerReference, 'registry.example/app');
  assert.throws(() => parseSimpleSigning(Buffer.from('{"critical":{}}')), (e) => isBosunError(e, 'SIGN_STATEMENT_INVALID'));
});

test('multi-cosigned-alice: alice verifies, bob and default do not', async () => {
  const digest = imageDigest('multi-cosigned-alice');
  const found = signaturesFor(digest);
  const ok = await verifyImageSignatures(digest, found, { key: await keys('alice') });
  assert.deepEqual(ok.verified.map((v) => v.index), [0]);
  for (const k of ['bob', 'default']) {
    await assert.rejects(verifyImageSignatures(digest, found, { key: await keys(k) }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
  }
});

test('multi-cosigned-alice-bob-charlie: layer i is signed by alice, bob, charlie', async () => {
  const digest = imageDigest('multi-cosigned-alice-bob-charlie');
  const found = signaturesFor(digest);
  assert.equal(found.length, 3);
  for (const [i, name] of ['alice', 'bob', 'charlie'].entries()) {
    const r = await verifyImageSignatures(digest, found, { key: await keys(name) });
    assert.deepEqual(r.verified.map((v) => v.index), [i]);
    assert.equal(r.rejected.length, 2);
  }
});

test('a signature replayed onto another image is SIGN_SUBJECT_MISMATCH', async () => {
  const found = signaturesFor(imageDigest('multi-cosigned-alice'));
  const other = imageDigest('co-unsigned');
  const r = verifyImageSignatures(other, found, { key: await keys('alice') });
  await assert.rejects(r, (e) => isBosunError(e, 'SIGN_VERIFY_FAILED') && e.message.includes('SIGN_SUBJECT_MISMATCH'));
  await assert.rejects(verifyImageSignatures(other, [], { key: await keys('alice') }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
});

test('keyless legacy signature verifies with its Rekor SET against the production root', async () => {
  const digest = imageDigest('keyless');
  const found = signaturesFor(digest);
  const trustedRoot = await loadTrustedRoot(productionRoot);
  const identity = identityPolicy({ identity: 'philipp.belitz@securesystems.de', issuer: 'https://github.com/login/oauth' });
  const r = await verifyImageSignatures(digest, found, { trustedRoot, identity });
  assert.equal(r.verified[0]?.subject, 'philipp.belitz@securesystems.de');
  const wrong = identityPolicy({ identity: 'someone@securesystems.de', issuer: 'https://github.com/login/oauth' });
  await assert.rejects(verifyImageSignatures(digest, found, { trustedRoot, identity: wrong }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
});

test('cosign OCI 1.1 referrer bundle verifies for its image digest only', async () => {
  const bundle = bundleFromJSON(JSON.parse(readFileSync(path.join(sigstoreVectors, 'cosign-oci-attestation', 'oci-attestation.sigstore.json'), 'utf8')));
  const trustedRoot = await loadTrustedRoot(productionRoot);
  const identity = identityPolicy({ identity: 'cody@soyland.com', issuer: 'https://github.com/login/oauth' });
  const subject: Digest = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';
  const r = await verifyImageSignatures(subject, [{ kind: 'bundle', bundle }], { trustedRoot, identity });
  assert.equal(r.verified.length, 1);
  await assert.rejects(verifyImageSignatures(`sha256:${'1'.repeat(64)}`, [{ kind: 'bundle', bundle }], { trustedRoot, identity }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
});

// `.att` layers as cosign writes them (key-based): the blob is a DSSE envelope, the signature
// annotation is empty. Built here because the shared vectors have no key-based `.att`.
test('CVE-2022-35929 at image level: only attestations of the requested type count', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subject: Digest = `sha256:${'5'.repeat(64)}`;
  const layer = (digest: Digest, type: string): SignatureMaterial => {
    const statement = buildStatement([{ name: 'registry.example/app', digest }], predicateTypeFor(type), { v: 1 });
    const env = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), privateKey);
    return { kind: 'legacy', mediaType: 'application/vnd.dsse.envelope.v1+json', annotations: { 'dev.cosignproject.cosign/signature': '' }, payload: Buffer.from(JSON.stringify(envelopeToJson(env))) };
  };
  const found = [layer(subject, 'vuln'), layer(subject, 'spdxjson'), layer(`sha256:${'6'.repeat(64)}`, 'cyclonedx')];
  const vuln = await verifyImageAttestations(subject, found, { key: publicKey }, predicateTypeFor('vuln'));
  assert.deepEqual(vuln.verified.map((v) => v.index), [0]);
  assert.deepEqual(vuln.rejected.map((r) => r.code), ['SIGN_PREDICATE_TYPE_MISMATCH', 'SIGN_SUBJECT_MISMATCH']);
  await assert.rejects(verifyImageAttestations(subject, found, { key: publicKey }, predicateTypeFor('cyclonedx')), (e) => isBosunError(e, 'SIGN_PREDICATE_TYPE_MISMATCH'));
  const bundle = bundleFromJSON(JSON.parse(readFileSync(path.join(sigstoreVectors, 'cosign-oci-attestation', 'oci-attestation.sigstore.json'), 'utf8')));
  const policy = { trustedRoot: await loadTrustedRoot(productionRoot), identity: identityPolicy({ identity: 'cody@soyland.com', issuer: 'https://github.com/login/oauth' }) };
  const image: Digest = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';
  assert.equal((await verifyImageAttestations(image, [{ kind: 'bundle', bundle }], policy, predicateTypeFor('custom'))).verified.length, 1);
  await assert.rejects(verifyImageAttestations(image, [{ kind: 'bundle', bundle }], policy, predicateTypeFor('vuln')), (e) => isBosunError(e, 'SIGN_PREDICATE_TYPE_MISMATCH'));
});
