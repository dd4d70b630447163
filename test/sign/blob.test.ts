import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { isBosunError } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import { loadBundle, parseBundle, serializeBundle } from '../../src/sign/bundle.js';
import { buildStatement } from '../../src/sign/intoto.js';
import { generateKeyPair } from '../../src/sign/keys/index.js';
import { signBlob, signBlobWithKey, signStatementWithKey } from '../../src/sign/sign-blob.js';
import { verifyBlob } from '../../src/sign/verify-blob.js';
import { verifyBundle } from '../../src/sign/verify.js';
import { productionRoot, sigstoreVectors } from './shared.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'bosun-blob-'));
const pw = async () => Buffer.from('pw');

test('sign-blob with a cosign key, verify-blob with cosign.pub; a changed file fails', async () => {
  const dir = tmp();
  await generateKeyPair({ dir, password: pw });
  const file = path.join(dir, 'artifact.bin');
  writeFileSync(file, 'release 1.2.3\n');
  await signBlob(file, { key: path.join(dir, 'cosign.key'), password: pw, bundlePath: path.join(dir, 'b.json') });
  const r = await verifyBlob(file, { bundle: path.join(dir, 'b.json'), key: path.join(dir, 'cosign.pub') });
  assert.deepEqual(r, { kind: 'key', transparencyChecked: false });
  writeFileSync(file, 'release 1.2.4\n');
  await assert.rejects(verifyBlob(file, { bundle: path.join(dir, 'b.json'), key: path.join(dir, 'cosign.pub') }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
  const other = await generateKeyPair({ dir, prefix: 'other', password: pw });
  writeFileSync(file, 'release 1.2.3\n');
  await assert.rejects(verifyBlob(file, { bundle: path.join(dir, 'b.json'), key: other.publicKeyPath }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
});

// Differential: @sigstore/verify on its own accepts bosun's key-based bundles. Not for Ed25519:
// @sigstore/verify 3.x passes 'sha256' to node's verify for message signatures, which pure
// Ed25519 rejects, so only bosun checks those.
const keyTypes: ReadonlyArray<{ name: string; upstream: boolean; make: () => { privateKey: KeyObject; publicKey: KeyObject } }> = [
  { name: 'P-256', upstream: true, make: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  { name: 'P-384', upstream: true, make: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }) },
  { name: 'Ed25519', upstream: false, make: () => generateKeyPairSync('ed25519') },
  { name: 'RSA-2048', upstream: true, make: () => generateKeyPairSync('rsa', { modulusLength: 2048 }) },
];
for (const k of keyTypes) {
  test(`${k.name} bundle from bosun verifies with bosun${k.upstream ? ' and with @sigstore/verify alone' : ''}`, async () => {
    const dir = tmp();
    const file = path.join(dir, 'a.txt');
    writeFileSync(file, `payload for ${k.name}`);
    const { privateKey, publicKey } = k.make();
    const json = serializeBundle(await signBlobWithKey(file, privateKey, publicKey));
    const bundle = parseBundle(Buffer.from(json));
    await verifyBundle(bundle, { key: publicKey, artifact: { kind: 'file', path: file } });
    writeFileSync(path.join(dir, 'b.txt'), 'other');
    await assert.rejects(verifyBundle(bundle, { key: publicKey, artifact: { kind: 'file', path: path.join(dir, 'b.txt') } }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
    if (!k.upstream) return;
    const upstream = bundleFromJSON(JSON.parse(json));
    const trust = toTrustMaterial(TrustedRoot.fromJSON({ mediaType: 'x', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] }), () => ({ publicKey, validFor: () => true }));
    const verifier = new Verifier(trust, { tlogThreshold: 0, timestampThreshold: 0 });
    verifier.verify(toSignedEntity(upstream, readFileSync(file)));
    assert.throws(() => verifier.verify(toSignedEntity(upstream, Buffer.from('other'))));
  });
}

test('digest-only verification needs an ECDSA key (Ed25519 signs whole messages)', async () => {
  const dir = tmp();
  const file = path.join(dir, 'a.txt');
  writeFileSync(file, 'x');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const bundle = await signBlobWithKey(file, privateKey, publicKey);
  const sha256 = Buffer.from(digestOf('x').slice(7), 'hex');
  await assert.rejects(verifyBundle(bundle, { key: publicKey, artifact: { kind: 'digest', sha256 } }), (e) => isBosunError(e, 'SIGN_KEY_UNSUPPORTED'));
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await verifyBundle(await signBlobWithKey(file, ec.privateKey, ec.publicKey), { key: ec.publicKey, artifact: { kind: 'digest', sha256 } });
});

test('DSSE statement bundle: verifies for its subject, SIGN_SUBJECT_MISMATCH for another file', async () => {
  const dir = tmp();
  const file = path.join(dir, 'a.txt');
  writeFileSync(file, 'subject bytes');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const statement = buildStatement([{ name: 'a.txt', digest: digestOf('subject bytes') }], 'https://example.com/p/v1', { ok: true });
  const bundle = signStatementWithKey(statement, privateKey, publicKey);
  const r = await verifyBundle(parseBundle(Buffer.from(serializeBundle(bundle))), { key: publicKey, artifact: { kind: 'file', path: file } });
  assert.deepEqual(r.statement, statement);
  writeFileSync(file, 'other bytes');
  await assert.rejects(verifyBundle(bundle, { key: publicKey, artifact: { kind: 'file', path: file } }), (e) => isBosunError(e, 'SIGN_SUBJECT_MISMATCH'));
});

test('a bundle with 33 tlog entries is refused before any verification', () => {
  const happy = JSON.parse(readFileSync(path.join(sigstoreVectors, 'conformance-bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json'), 'utf8'));
  const entry = happy.verificationMaterial.tlogEntries[0];
  happy.verificationMaterial.tlogEntries = Array.from({ length: 33 }, () => entry);
  const started = performance.now();
  assert.throws(() => parseBundle(Buffer.from(JSON.stringify(happy))), (e) => isBosunError(e, 'SIGN_BUNDLE_INVALID'));
  assert.ok(performance.now() - started < 200);
});

test('a bundle file over the size cap is LIMIT_EXCEEDED', async () => {
  const dir = tmp();
  const big = path.join(dir, 'big.json');
  writeFileSync(big, Buffer.alloc(4 * 1024 * 1024 + 1, 0x20));
  await assert.rejects(loadBundle(big), (e) => isBosunError(e, 'LIMIT_EXCEEDED'));
});

test('mode errors: keyless needs a trusted root; key bundle vs identity; cert bundle vs key', async () => {
  const dir = tmp();
  const file = path.join(dir, 'a.txt');
  writeFileSync(file, 'x');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(path.join(dir, 'k.json'), serializeBundle(await signBlobWithKey(file, privateKey, publicKey)));
  const idFlags = { certificateIdentity: 'a@b.c', certificateOidcIssuer: 'https://x' };
  await assert.rejects(verifyBlob(file, { bundle: path.join(dir, 'k.json'), ...idFlags }), (e) => isBosunError(e, 'INPUT_INVALID'));
  await assert.rejects(verifyBlob(file, { bundle: path.join(dir, 'k.json'), trustedRoot: productionRoot, ...idFlags }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
  await assert.rejects(verifyBlob(file, { bundle: path.join(dir, 'k.json') }), (e) => isBosunError(e, 'INPUT_INVALID'));
  const keyless = path.join(sigstoreVectors, 'conformance-bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json');
  writeFileSync(path.join(dir, 'pub.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
  await assert.rejects(verifyBlob(file, { bundle: keyless, key: path.join(dir, 'pub.pem') }), (e) => isBosunError(e, 'SIGN_VERIFY_FAILED'));
});

test('an Ed25519 DSSE bundle verifies against a sha256: digest (no bytes needed)', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const digest = digestOf('subject');
  const bundle = signStatementWithKey(buildStatement([{ name: 's', digest }], 'https://example.com/p/v1', {}), privateKey, publicKey);
  const r = await verifyBundle(bundle, { key: publicKey, artifact: { kind: 'digest', sha256: Buffer.from(digest.slice(7), 'hex') } });
  assert.equal(r.statement?.predicateType, 'https://example.com/p/v1');
});
