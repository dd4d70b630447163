import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { isBosunError } from '../../src/errors.js';
import type { Digest } from '../../src/oci/digest.js';
import { checkStatement, predicateTypeFor } from '../../src/sign/intoto.js';
import { identityPolicy } from '../../src/sign/identity.js';
import { loadBundle } from '../../src/sign/bundle.js';
import { loadTrustedRoot } from '../../src/sign/trusted-root.js';
import { verifyBundle } from '../../src/sign/verify.js';
import { cosignTestdataRoot, productionRoot, sigstoreVectors } from './shared.js';

const github = 'https://github.com/login/oauth';

// sigstore-js's own bundles (v0.1–v0.3, dsse and intoto entries): all verify as brian@dehamer.com.
const jsDir = path.join(sigstoreVectors, 'sigstore-js-bundles');
const jsBundles = readdirSync(jsDir).filter((f) => f.endsWith('.sigstore')).sort();
const statement = JSON.parse(readFileSync(path.join(jsDir, 'statement.json'), 'utf8'));

test('there are 9 sigstore-js bundles', () => assert.equal(jsBundles.length, 9));
for (const f of jsBundles) {
  test(`sigstore-js ${f}: verifies as brian@dehamer.com and only as them`, async () => {
    const trustedRoot = await loadTrustedRoot(productionRoot);
    const bundle = await loadBundle(path.join(jsDir, f));
    const ok = await verifyBundle(bundle, { trustedRoot, identity: identityPolicy({ identity: 'brian@dehamer.com', issuer: github }) });
    assert.equal(ok.subject, 'brian@dehamer.com');
    assert.equal(ok.issuer, github);
    assert.deepEqual(ok.statement, statement);
    await assert.rejects(verifyBundle(bundle, { trustedRoot, identity: identityPolicy({ identity: 'mallory@dehamer.com', issuer: github }) }), (e) => isBosunError(e, 'SIGN_IDENTITY_MISMATCH'));
    await assert.rejects(verifyBundle(bundle, { trustedRoot, identity: identityPolicy({ identityRegexp: '.*@dehamer\\.com', issuer: 'https://accounts.google.com' }) }), (e) => isBosunError(e, 'SIGN_IDENTITY_MISMATCH'));
  });
}

// cosign's OCI 1.1 referrer attestation (registry part comes with the registry client): the
// DSSE/bundle content verifies offline, names the image digest, and has the `custom` type.
const ociBundle = path.join(sigstoreVectors, 'cosign-oci-attestation', 'oci-attestation.sigstore.json');
const imageDigest: Digest = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';
for (const rootPath of [productionRoot, cosignTestdataRoot]) {
  test(`cosign OCI attestation verifies as cody@soyland.com against ${path.basename(rootPath)}`, async () => {
    const trustedRoot = await loadTrustedRoot(rootPath);
    const bundle = await loadBundle(ociBundle);
    const ok = await verifyBundle(bundle, { trustedRoot, identity: identityPolicy({ identity: 'cody@soyland.com', issuer: github }) });
    assert.equal(ok.subject, 'cody@soyland.com');
    assert.ok(ok.statement);
    checkStatement(ok.statement, { digest: imageDigest, predicateType: predicateTypeFor('custom') });
    assert.throws(() => checkStatement(ok.statement as NonNullable<typeof ok.statement>, { digest: imageDigest, predicateType: predicateTypeFor('spdxjson') }), (e) => isBosunError(e, 'SIGN_PREDICATE_TYPE_MISMATCH'));
    assert.throws(() => checkStatement(ok.statement as NonNullable<typeof ok.statement>, { digest: `sha256:${'0'.repeat(64)}` }), (e) => isBosunError(e, 'SIGN_SUBJECT_MISMATCH'));
    await assert.rejects(verifyBundle(bundle, { trustedRoot, identity: identityPolicy({ identity: 'cody@soyland.co', issuer: github }) }), (e) => isBosunError(e, 'SIGN_IDENTITY_MISMATCH'));
    await assert.rejects(verifyBundle(bundle, { trustedRoot, identity: identityPolicy({ identityRegexp: 'cody@soyland', issuer: github }) }), (e) => isBosunError(e, 'SIGN_IDENTITY_MISMATCH'));
  });
}

test('cosign OCI attestation checked against an artifact digest: its subject passes, another fails', async () => {
  const trustedRoot = await loadTrustedRoot(productionRoot);
  const bundle = await loadBundle(ociBundle);
  const identity = identityPolicy({ identity: 'cody@soyland.com', issuer: github });
  const sha256 = (d: string) => Buffer.from(d.slice(7), 'hex');
  await verifyBundle(bundle, { trustedRoot, identity, artifact: { kind: 'digest', sha256: sha256(imageDigest) } });
  await assert.rejects(verifyBundle(bundle, { trustedRoot, identity, artifact: { kind: 'digest', sha256: Buffer.alloc(32) } }), (e) => isBosunError(e, 'SIGN_SUBJECT_MISMATCH'));
});
