import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import type { ReadStream } from 'node:tty';
import path from 'node:path';
import { isBosunError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';
import { envPasswordSource, generateKeyPair, loadPrivateKey, loadPublicKey, parsePem, SIGSTORE_KEY_LABEL } from '../../src/sign/keys/index.js';
import { sigstoreVectors } from './shared.js';

const keysDir = path.join(sigstoreVectors, 'cosign-encrypted-keys');
const fixed = (pw: string) => async () => Buffer.from(pw);
const tmp = () => mkdtempSync(path.join(tmpdir(), 'bosun-keys-'));

// Keys made by cosign (password `hello`): expected outcome per file and password.
const vectorCases: ReadonlyArray<{ file: string; password: string; want: 'ok' | ErrorCode }> = [
  { file: 'cosign-label-p256.key', password: 'hello', want: 'ok' },
  { file: 'sigstore-label-p256.key', password: 'hello', want: 'ok' },
  { file: 'cosign-label-sec1-ec.key', password: 'hello', want: 'SIGN_KEY_SEC1' },
  { file: 'cosign-label-p256.key', password: 'hellO', want: 'SIGN_KEY_PASSWORD_WRONG' },
  { file: 'sigstore-label-p256.key', password: '', want: 'SIGN_KEY_PASSWORD_WRONG' },
  { file: 'cosign-label-sec1-ec.key', password: 'x', want: 'SIGN_KEY_PASSWORD_WRONG' },
];
for (const c of vectorCases) {
  test(`cosign key ${c.file} with password '${c.password}' -> ${c.want}`, async () => {
    const load = loadPrivateKey(path.join(keysDir, c.file), { password: fixed(c.password) });
    if (c.want === 'ok') {
      const k = await load;
      assert.equal(k.privateKey.asymmetricKeyType, 'ec');
      assert.equal(k.privateKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    } else {
      await assert.rejects(load, (e) => isBosunError(e, c.want as ErrorCode));
    }
  });
}

test('generateKeyPair writes cosign format that loads back, 0600 key, PKIX P-256 pub', async () => {
  const dir = tmp();
  const r = await generateKeyPair({ dir, password: fixed('s3cret') });
  const keyPem = readFileSync(r.privateKeyPath, 'utf8');
  const block = parsePem(keyPem, 'key');
  assert.equal(block.label, SIGSTORE_KEY_LABEL);
  const env = JSON.parse(block.der.toString('utf8'));
  assert.deepEqual(env.kdf.params, { N: 32768, r: 8, p: 1 });
  assert.equal(env.kdf.name, 'scrypt');
  assert.equal(env.cipher.name, 'nacl/secretbox');
  assert.equal(Buffer.from(env.kdf.salt, 'base64').length, 32);
  assert.equal(Buffer.from(env.cipher.nonce, 'base64').length, 24);
  assert.equal(statSync(r.privateKeyPath).mode & 0o777, 0o600);
  const pub = await loadPublicKey(r.publicKeyPath);
  assert.equal(pub.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const loaded = await loadPrivateKey(r.privateKeyPath, { password: fixed('s3cret') });
  assert.ok(loaded.publicKey.equals(pub));
  await assert.rejects(loadPrivateKey(r.privateKeyPath, { password: fixed('S3cret') }), (e) => isBosunError(e, 'SIGN_KEY_PASSWORD_WRONG'));
  await assert.rejects(generateKeyPair({ dir, password: fixed('x') }), (e) => isBosunError(e, 'IO_FAILED'));
  await generateKeyPair({ dir, password: fixed('y'), force: true });
  await assert.rejects(loadPrivateKey(r.privateKeyPath, { password: fixed('s3cret') }), (e) => isBosunError(e, 'SIGN_KEY_PASSWORD_WRONG'));
});

test('unencrypted PKCS#8 PEM and env://VAR load; SEC1 PEM is SIGN_KEY_SEC1; unset env is INPUT_INVALID', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const sec1 = privateKey.export({ format: 'pem', type: 'sec1' }).toString();
  const dir = tmp();
  writeFileSync(path.join(dir, 'k.pem'), pkcs8);
  writeFileSync(path.join(dir, 'sec1.pem'), sec1);
  const noPassword = async (): Promise<Uint8Array> => assert.fail('no password should be asked');
  assert.ok((await loadPrivateKey(path.join(dir, 'k.pem'), { password: noPassword })).privateKey.equals(privateKey));
  assert.ok((await loadPrivateKey('env://MY_KEY', { password: noPassword, env: { MY_KEY: pkcs8 } })).privateKey.equals(privateKey));
  await assert.rejects(loadPrivateKey(path.join(dir, 'sec1.pem'), { password: noPassword }), (e) => isBosunError(e, 'SIGN_KEY_SEC1'));
  await assert.rejects(loadPrivateKey('env://NOPE', { password: noPassword, env: {} }), (e) => isBosunError(e, 'INPUT_INVALID'));
});

const publicCases = [
  { name: 'ecdsa P-256', key: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, ok: true },
  { name: 'ecdsa P-384', key: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey, ok: true },
  { name: 'ed25519', key: () => generateKeyPairSync('ed25519').publicKey, ok: true },
  { name: 'rsa 2048', key: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, ok: true },
  { name: 'secp256k1', key: () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey, ok: false },
  { name: 'rsa 1024', key: () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, ok: false },
] as const;
for (const c of publicCases) {
  test(`public key ${c.name} ok=${c.ok}`, async () => {
    const pem = c.key().export({ format: 'pem', type: 'spki' }).toString();
    const load = loadPublicKey('env://PUB', { PUB: pem });
    if (c.ok) assert.ok(await load);
    else await assert.rejects(load, (e) => isBosunError(e, 'SIGN_KEY_UNSUPPORTED'));
  });
}

test('private key on an unsupported curve is SIGN_KEY_UNSUPPORTED', async () => {
  const pem = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await assert.rejects(loadPrivateKey('env://K', { password: fixed(''), env: { K: pem } }), (e) => isBosunError(e, 'SIGN_KEY_UNSUPPORTED'));
});

test('hostile scrypt cost in an encrypted key is refused before deriving', async () => {
  const body = { kdf: { name: 'scrypt', params: { N: 1 << 24, r: 8, p: 1 }, salt: 'AAAA' }, cipher: { name: 'nacl/secretbox', nonce: 'A'.repeat(32) }, ciphertext: 'AAAA' };
  const pem = `-----BEGIN ${SIGSTORE_KEY_LABEL}-----\n${Buffer.from(JSON.stringify(body)).toString('base64')}\n-----END ${SIGSTORE_KEY_LABEL}-----\n`;
  await assert.rejects(loadPrivateKey('env://K', { password: fixed('x'), env: { K: pem } }), (e) => isBosunError(e, 'SIGN_KEY_INVALID'));
});

const passwordCases = [
  { env: { COSIGN_PASSWORD: 'a', BOSUN_PASSWORD: 'b' }, want: 'a' },
  { env: { COSIGN_PASSWORD: '', BOSUN_PASSWORD: 'b' }, want: '' }, // set-but-empty wins, as in cosign
  { env: { BOSUN_PASSWORD: 'b' }, want: 'b' },
  { env: {}, want: 'SIGN_KEY_PASSWORD_MISSING' },
] as const;
for (const c of passwordCases) {
  test(`password source ${JSON.stringify(c.env)} -> ${c.want}`, async () => {
    const source = envPasswordSource({ env: c.env });
    if (c.want === 'SIGN_KEY_PASSWORD_MISSING') await assert.rejects(source('decrypt'), (e) => isBosunError(e, 'SIGN_KEY_PASSWORD_MISSING'));
    else assert.equal(Buffer.from(await source('decrypt')).toString(), c.want);
  });
}

// Differential: Debian's python3-nacl (libsodium) + OpenSSL scrypt, an implementation bosun
// shares no code with, must read bosun's keys and write keys bosun reads.
const naclScript = path.join(import.meta.dirname, '..', 'fixtures', 'sign', 'nacl-key.py');
test('libsodium (python3-nacl) decrypts a bosun key and bosun loads a libsodium-encrypted key', async () => {
  const { execFileSync } = await import('node:child_process');
  const dir = tmp();
  const r = await generateKeyPair({ dir, password: fixed('pw') });
  const derHex = execFileSync('/usr/bin/python3', [naclScript, 'decrypt', 'pw'], { input: readFileSync(r.privateKeyPath) }).toString().trim();
  const ours = await loadPrivateKey(r.privateKeyPath, { password: fixed('pw') });
  assert.equal(derHex, ours.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('hex'));
  const pem = execFileSync('/usr/bin/python3', [naclScript, 'encrypt', 'pw2'], { input: Buffer.from(derHex, 'hex') }).toString();
  const theirs = await loadPrivateKey('env://K', { password: fixed('pw2'), env: { K: pem } });
  assert.ok(theirs.privateKey.equals(ours.privateKey));
});

// A stand-in terminal: no real TTY exists under the test runner, so a PassThrough plays one
// (isTTY + setRawMode), and the prompt text written to `out` is captured to check nothing echoes.
function fakeTty(keys: readonly string[]): { tty: ReadStream; out: PassThrough; rawModes: boolean[] } {
  const input = new PassThrough();
  const rawModes: boolean[] = [];
  Object.assign(input, { isTTY: true, setRawMode: (on: boolean) => rawModes.push(on) });
  let i = 0;
  const feed = () => {
    const k = keys[i++];
    if (k !== undefined) setImmediate(() => input.write(k));
  };
  input.on('resume', feed);
  return { tty: input as unknown as ReadStream, out: new PassThrough(), rawModes };
}

test('TTY prompt: reads without echo, handles backspace, restores the terminal', async () => {
  const { tty, out, rawModes } = fakeTty(['sx\u007fecret\r']);
  const pw = await envPasswordSource({ env: {}, tty, out })('decrypt');
  assert.equal(Buffer.from(pw).toString(), 'secret');
  assert.deepEqual(rawModes, [true, false]);
  assert.ok(!String(out.read()).includes('secret'));
});

test('TTY prompt when encrypting asks twice; a mismatch is INPUT_INVALID', async () => {
  const { tty, out } = fakeTty(['one\r', 'two\r']);
  await assert.rejects(envPasswordSource({ env: {}, tty, out })('encrypt'), (e) => isBosunError(e, 'INPUT_INVALID'));
});
