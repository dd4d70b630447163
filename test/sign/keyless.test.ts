// Keyless signing (Fulcio + Rekor + TSA) of images and blobs against a Sigstore stack on
// loopback (see sigstore-stack.ts: @sigstore/mock, the only part here that is not real) and
// Debian's docker-registry on loopback; verified with bosun's own verifiers and a trusted root
// built for the stack.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isBosunError } from '../../src/errors.js';
import type { Digest } from '../../src/oci/digest.js';
import { ImageBuilder } from '../../src/oci/image-builder.js';
import * as remote from '../../src/oci/remote/index.js';
import { conformanceSign, conformanceVerify } from '../../src/sign/conformance.js';
import { cosignLayout, cosignTag } from '../../src/sign/cosign.js';
import { identityPolicy } from '../../src/sign/identity.js';
import { predicateTypeFor } from '../../src/sign/intoto.js';
import { createKeylessSigner } from '../../src/sign/keyless/create.js';
import { attestCommand, signCommand } from '../../src/sign/oci/commands.js';
import { attestImage, signImage } from '../../src/sign/oci/sign-image.js';
import { downloadSignatures } from '../../src/sign/oci/tree.js';
import { verifyAttestationRef, verifyImageRef } from '../../src/sign/oci/verify-ref.js';
import { loadTrustedRoot } from '../../src/sign/trusted-root.js';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { FAKE_ISSUER, fakeIdentityToken, startSigstoreStack, type SigstoreStack } from './sigstore-stack.js';
import { tempDir } from '../helpers/temp-dir.js';

const insecure = { insecure: true };
const alice = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main';
const noPassword = async () => new Uint8Array();

let reg: TestRegistry;
let stack: SigstoreStack;
let dir: string;
let rootPath: string;
let root: TrustedRoot;
let counter = 0;

before(async () => {
  [reg, stack, dir] = await Promise.all([startRegistry({ mode: 'http' }), startSigstoreStack(), tempDir('keyless')]);
  rootPath = path.join(dir, 'trusted_root.json');
  await stack.writeTrustedRoot(rootPath);
  root = await loadTrustedRoot(rootPath);
});
after(async () => {
  await Promise.all([reg?.stop(), stack?.close()]);
});

async function freshImage(): Promise<{ ref: string; digest: Digest; repo: remote.Repository }> {
  const n = ++counter;
  const img = await new ImageBuilder().addEntries([{ path: `etc/keyless-${n}`, content: `image ${n}\n` }]).build();
  const ref = `${reg.host}/team/keyless:v${n}`;
  const desc = await remote.write(ref, img, insecure);
  return { ref, digest: desc.digest, repo: new remote.Repository(reg.host, 'team/keyless', 'pull,push', insecure) };
}

const services = () => ({ fulcioUrl: stack.url, rekorUrl: stack.url, timestampServerUrl: stack.url, trustedRoot: rootPath });
const keyless = (sub = alice) => createKeylessSigner({ identityToken: fakeIdentityToken({ sub }), ...services(), env: {} });
const policy = (identity: string, issuer: string) => ({ policy: { identity: identityPolicy({ identity, issuer }), trustedRoot: root }, remote: insecure });
const snapshot = () => ({ ...stack.calls });

test('sign keylessly: one certificate serves both layouts; the .sig layer carries cosign\'s keyless annotations', async () => {
  const { ref, digest, repo } = await freshImage();
  const before = snapshot();
  const signed = await signImage(ref, { signer: await keyless(), remote: insecure });
  assert.equal(signed.digest, digest);
  assert.deepEqual({ fulcio: stack.calls.fulcio - before.fulcio, rekor: stack.calls.rekor - before.rekor, tsa: stack.calls.tsa - before.tsa }, { fulcio: 1, rekor: 2, tsa: 2 });
  const sig = JSON.parse((await repo.manifest(cosignTag(digest, 'sig')))!.raw.toString('utf8')) as { layers: Array<{ annotations: Record<string, string> }> };
  const a = sig.layers[0]!.annotations;
  const leaf = new X509Certificate(a[cosignLayout.annotations.certificate]!);
  assert.equal(leaf.subjectAltName, `URI:${alice}`);
  const chain = new X509Certificate(a[cosignLayout.annotations.chain]!);
  assert.ok(leaf.verify(chain.publicKey), 'the chain annotation holds the certificate that issued the leaf');
  const rekor = JSON.parse(a[cosignLayout.annotations.bundle]!) as { SignedEntryTimestamp: string; Payload: { logID: string; integratedTime: number } };
  assert.match(rekor.Payload.logID, /^[0-9a-f]{64}$/);
  assert.equal(typeof rekor.Payload.integratedTime, 'number');
  assert.ok(a[cosignLayout.annotations.rfc3161Timestamp], 'the TSA timestamp is written as cosign does');
  const [downloaded] = (await downloadSignatures(ref, insecure)) as Array<{ Cert: string; RFC3161Timestamp: { SignedRFC3161Timestamp: string } | null }>;
  assert.equal(downloaded?.Cert, a[cosignLayout.annotations.certificate]);
  assert.ok(downloaded?.RFC3161Timestamp?.SignedRFC3161Timestamp);
  const report = await verifyImageRef(ref, policy(alice, FAKE_ISSUER));
  assert.deepEqual(report.verified.map((v) => v.layout).sort(), ['legacy', 'referrer']);
  assert.ok(report.verified.every((v) => v.signer.kind === 'certificate' && v.signer.subject === alice && v.signer.issuer === FAKE_ISSUER && v.transparencyChecked));
});

const wrong = [
  { name: 'another identity', identity: 'https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main', issuer: FAKE_ISSUER },
  { name: 'another issuer', identity: alice, issuer: 'https://token.actions.githubusercontent.com' },
] as const;
test('a keyless signature does not verify for the wrong identity or issuer', async () => {
  const { ref } = await freshImage();
  await signImage(ref, { signer: await keyless(), remote: insecure, bundleFormat: 'legacy' });
  for (const w of wrong) {
    await assert.rejects(verifyImageRef(ref, policy(w.identity, w.issuer)), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED') && /SIGN_IDENTITY_MISMATCH/.test(e.message), w.name);
  }
});

test('attest keylessly: one DSSE signature and one Rekor entry serve .att and the referrer; verify-attestation accepts both', async () => {
  const { ref } = await freshImage();
  const before = snapshot();
  await attestCommand(ref, 'vuln', { scanner: { uri: 'pkg:npm/bosun' } }, { password: noPassword, identityToken: fakeIdentityToken({ sub: alice }), ...services(), env: {}, remote: insecure });
  assert.equal(stack.calls.rekor - before.rekor, 1);
  const report = await verifyAttestationRef(ref, predicateTypeFor('vuln'), policy(alice, FAKE_ISSUER));
  assert.deepEqual(report.verified.map((v) => v.layout).sort(), ['legacy', 'referrer']);
  await assert.rejects(verifyAttestationRef(ref, predicateTypeFor('vuln'), policy('someone-else', FAKE_ISSUER)), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
  await assert.rejects(verifyAttestationRef(ref, predicateTypeFor('cyclonedx'), policy(alice, FAKE_ISSUER)), (e) => isBosunError(e, 'SIGN_PREDICATE_TYPE_MISMATCH'));
});

test('a Fulcio error stops keyless signing with SIGN_KEYLESS_FULCIO_FAILED and pushes nothing', async () => {
  const { ref, digest, repo } = await freshImage();
  const before = snapshot();
  stack.failFulcio = 401;
  try {
    const token = fakeIdentityToken({ sub: alice });
    await assert.rejects(signCommand(ref, { password: noPassword, identityToken: token, ...services(), env: {}, remote: insecure }), (e) => isBosunError(e, 'SIGN_KEYLESS_FULCIO_FAILED') && !e.message.includes(token.split('.')[1]!));
  } finally {
    stack.failFulcio = undefined;
  }
  assert.equal(stack.calls.fulcio - before.fulcio, 1);
  assert.equal(stack.calls.rekor, before.rekor);
  assert.equal(await repo.manifest(cosignTag(digest, 'sig')), undefined);
  assert.deepEqual((await repo.referrers(digest)).manifests, []);
});

test('a trusted root that does not describe the services: SIGN_KEYLESS_UNTRUSTED, nothing pushed', async () => {
  const other = await startSigstoreStack();
  try {
    const otherRoot = path.join(dir, 'other-root.json');
    await other.writeTrustedRoot(otherRoot);
    const { ref, digest, repo } = await freshImage();
    await assert.rejects(signCommand(ref, { password: noPassword, identityToken: fakeIdentityToken({ sub: alice }), ...services(), trustedRoot: otherRoot, env: {}, remote: insecure }), (e) => isBosunError(e, 'SIGN_KEYLESS_UNTRUSTED'));
    assert.equal(await repo.manifest(cosignTag(digest, 'sig')), undefined);
    assert.deepEqual((await repo.referrers(digest)).manifests, []);
  } finally {
    await other.close();
  }
});

// An unreachable registry (port 1) and the stack's request counters prove no network call is made.
const badTokens = [
  { name: 'expired', token: () => fakeIdentityToken({ sub: alice, expiresIn: -30 }), code: 'SIGN_KEYLESS_TOKEN_EXPIRED' },
  { name: 'not a JWT', token: () => 'not-a-token', code: 'SIGN_KEYLESS_TOKEN_INVALID' },
  { name: 'payload not JSON', token: () => `e30.${Buffer.from('{nope').toString('base64url')}.c2ln`, code: 'SIGN_KEYLESS_TOKEN_INVALID' },
  { name: 'no exp claim', token: () => `e30.${Buffer.from(JSON.stringify({ iss: FAKE_ISSUER, sub: alice })).toString('base64url')}.c2ln`, code: 'SIGN_KEYLESS_TOKEN_INVALID' },
] as const;
for (const c of badTokens) {
  test(`identity token ${c.name}: ${c.code} before any network call`, async () => {
    const before = stack.server.seen.length;
    for (const run of [
      () => signCommand('127.0.0.1:1/team/app:v1', { password: noPassword, identityToken: c.token(), ...services(), env: {}, remote: insecure }),
      () => attestCommand('127.0.0.1:1/team/app:v1', 'custom', {}, { password: noPassword, identityToken: c.token(), ...services(), env: {}, remote: insecure }),
    ]) {
      await assert.rejects(run(), (e) => isBosunError(e, c.code));
    }
    assert.equal(stack.server.seen.length, before);
  });
}

test('no --key and no token anywhere: SIGN_KEYLESS_TOKEN_MISSING; --key with keyless flags: INPUT_INVALID', async () => {
  await assert.rejects(signCommand('127.0.0.1:1/team/app:v1', { password: noPassword, env: {}, remote: insecure }), (e) => isBosunError(e, 'SIGN_KEYLESS_TOKEN_MISSING'));
  await assert.rejects(signCommand('127.0.0.1:1/team/app:v1', { key: 'cosign.key', identityToken: fakeIdentityToken({ sub: alice }), password: noPassword, env: {}, remote: insecure }), (e) => isBosunError(e, 'INPUT_INVALID'));
  await assert.rejects(signCommand('127.0.0.1:1/team/app:v1', { password: noPassword, tlogUpload: false, env: {}, remote: insecure }), (e) => isBosunError(e, 'INPUT_INVALID'));
});

test('attestImage and signImage keyless, legacy only, without a TSA: the Rekor SET alone dates the signature', async () => {
  const { ref } = await freshImage();
  const signer = await createKeylessSigner({ identityToken: fakeIdentityToken({ sub: alice }), fulcioUrl: stack.url, rekorUrl: stack.url, env: {} });
  await signImage(ref, { signer, remote: insecure, bundleFormat: 'legacy' });
  await attestImage(ref, predicateTypeFor('custom'), { ok: true }, { signer, remote: insecure, bundleFormat: 'legacy' });
  assert.equal((await verifyImageRef(ref, policy(alice, FAKE_ISSUER))).verified.length, 1);
  assert.equal((await verifyAttestationRef(ref, predicateTypeFor('custom'), policy(alice, FAKE_ISSUER))).verified.length, 1);
});

test('sigstore-conformance sign-bundle: signs with the services a signing config names; verify-bundle accepts the result', async () => {
  const file = path.join(dir, 'artifact.txt');
  await writeFile(file, 'conformance artifact\n');
  const config = path.join(dir, 'signing_config.json');
  const service = { url: stack.url, majorApiVersion: 1, validFor: { start: '2020-01-01T00:00:00Z' }, operator: 'bosun-test' };
  await writeFile(config, JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [service], oidcUrls: [], rekorTlogUrls: [service], tsaUrls: [{ ...service, url: `${stack.url}/api/v1/timestamp` }],
    rekorTlogConfig: { selector: 'ANY' }, tsaConfig: { selector: 'ANY' },
  }));
  const bundle = path.join(dir, 'conformance.sigstore.json');
  const before = snapshot();
  await conformanceSign({ identityToken: fakeIdentityToken({ sub: 'conformance@example.test' }), bundle, file, signingConfig: config, trustedRoot: rootPath });
  assert.deepEqual({ fulcio: stack.calls.fulcio - before.fulcio, tsa: stack.calls.tsa - before.tsa }, { fulcio: 1, tsa: 1 });
  const ok = await conformanceVerify({ bundle, fileOrDigest: file, certificateIdentity: 'conformance@example.test', certificateOidcIssuer: FAKE_ISSUER, trustedRoot: rootPath });
  assert.equal(ok.subject, 'conformance@example.test');
  await assert.rejects(conformanceVerify({ bundle, fileOrDigest: file, certificateIdentity: 'other@example.test', certificateOidcIssuer: FAKE_ISSUER, trustedRoot: rootPath }), (e) => isBosunError(e, 'SIGN_IDENTITY_MISMATCH'));
});
