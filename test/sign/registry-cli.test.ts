// bosun sign / attest / verify / verify-attestation / tree / download through bin/bosun.js,
// against Debian's docker-registry on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { isBosunError } from '../../src/errors.js';
import path from 'node:path';
import * as remote from '../../src/oci/remote/index.js';
import { predicateTypeFor } from '../../src/sign/intoto.js';
import { parseAnnotations, readPredicate, signCommand } from '../../src/sign/oci/commands.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { twoLayerImage } from '../helpers/oci-image.js';
import { sigstoreVectors } from './shared.js';
import { ok, runBosun, type Run } from '../helpers/bosun-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const env = { COSIGN_PASSWORD: 'pw-for-tests' };
const bosun = (args: string[], stdin?: Buffer): Promise<Run> => runBosun(args, { stdin, env, cwd: dir });
const lines = (r: Run) => r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

let dir: string;
const key = (who: string, ext: 'key' | 'pub') => path.join(dir, `${who}.${ext}`);
let reg: TestRegistry;
let image: string;
let digest: string;
before(async () => {
  dir = await tempDir('sign-cli');
  reg = await startRegistry({ mode: 'http' });
  image = `${reg.host}/team/web:1.0`;
  digest = (await remote.write(image, await twoLayerImage(), { insecure: true })).digest;
  // Unencrypted PKCS#8 keys: cosign-format ones cost an scrypt per command (keys.test.ts covers those).
  for (const who of ['alice', 'bob']) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(key(who, 'key'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(key(who, 'pub'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
  }
});
after(async () => {
  await reg?.stop();
});

test('an unsigned image: verify exits 2 with SIGN_NO_SIGNATURES', async () => {
  const r = await bosun(['verify', '--insecure', '--key', key('alice', 'pub'), image]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /SIGN_NO_SIGNATURES/);
});

test('sign, then verify prints the signed payloads as JSON lines and a summary', async () => {
  ok(await bosun(['sign', '--insecure', '--key', key('alice', 'key'), '-a', 'team=web', image]));
  ok(await bosun(['sign', '--insecure', '--key', key('bob', 'key'), '--bundle-format', 'legacy', image]));
  const r = ok(await bosun(['verify', '--insecure', '--key', key('alice', 'pub'), '-a', 'team=web', image]));
  const payloads = lines(r);
  assert.equal(payloads.length, 2);
  const legacy = payloads.find((p) => 'critical' in p) as { critical: { image: Record<string, string> }; optional: Record<string, string> };
  assert.equal(legacy.critical.image['docker-manifest-digest'], digest);
  assert.deepEqual(legacy.optional, { team: 'web' });
  assert.match(r.stderr, /2 signature\(s\) verified/);
  const json = JSON.parse(ok(await bosun(['verify', '--insecure', '--key', key('bob', 'pub'), '--output', 'json', image])).stdout) as { digest: string; verified: { layout: string }[] };
  assert.equal(json.digest, digest);
  assert.deepEqual(json.verified.map((v) => v.layout), ['legacy']);
  const wrongAnnotation = await bosun(['verify', '--insecure', '--key', key('alice', 'pub'), '-a', 'team=db', image]);
  assert.equal(wrongAnnotation.status, 2);
  assert.match(wrongAnnotation.stderr, /SIGN_VERIFY_FAILED/);
});

test('--tlog-upload=true is refused (key signing is offline); -a must be k=v; a predicate must be a JSON object', async () => {
  const password = async () => new Uint8Array();
  await assert.rejects(signCommand(image, { key: key('alice', 'key'), password, tlogUpload: true, remote: { insecure: true } }), (e) => isBosunError(e, 'INPUT_INVALID'));
  assert.throws(() => parseAnnotations(['novalue']), (e) => isBosunError(e, 'SIGN_ANNOTATION_INVALID'));
  assert.deepEqual(parseAnnotations(['a=b=c', 'e=']), { a: 'b=c', e: '' });
  for (const text of ['not json', '[1]', 'null']) {
    await assert.rejects(readPredicate('-', () => Readable.from([Buffer.from(text)])), (e) => isBosunError(e, 'SIGN_PREDICATE_INVALID'));
  }
});

test('attest --predicate - reads stdin; verify-attestation checks the exact type', async () => {
  const predicate = await readFile(path.join(sigstoreVectors, 'predicates', 'cosign-vuln-predicate.json'));
  ok(await bosun(['attest', '--insecure', '--key', key('alice', 'key'), '--type', 'vuln', '--predicate', '-', image], predicate));
  const r = ok(await bosun(['verify-attestation', '--insecure', '--key', key('alice', 'pub'), '--type', 'vuln', image]));
  const envelopes = lines(r);
  assert.equal(envelopes.length, 2);
  for (const e of envelopes) {
    const st = JSON.parse(Buffer.from(e.payload as string, 'base64').toString('utf8')) as { predicateType: string; predicate: unknown };
    assert.equal(st.predicateType, predicateTypeFor('vuln'));
    assert.deepEqual(st.predicate, JSON.parse(predicate.toString('utf8')));
  }
  const wrongType = await bosun(['verify-attestation', '--insecure', '--key', key('alice', 'pub'), '--type', 'cyclonedx', image]);
  assert.equal(wrongType.status, 2);
  assert.match(wrongType.stderr, /SIGN_PREDICATE_TYPE_MISMATCH/);
});

test('tree lists the tags and referrers; download prints cosign\'s shapes', async () => {
  const tree = JSON.parse(ok(await bosun(['tree', '--insecure', '--output', 'json', image])).stdout) as { digest: string; tags: { kind: string; layers: unknown[] }[]; referrers: Record<string, unknown[]>; referrersSource: string };
  assert.equal(tree.digest, digest);
  assert.deepEqual(tree.tags.map((t) => [t.kind, t.layers.length]), [['signatures', 2], ['attestations', 1]]);
  assert.equal(tree.referrersSource, 'tag');
  assert.equal(tree.referrers['application/vnd.dev.sigstore.bundle.v0.3+json']?.length, 2);
  assert.match(ok(await bosun(['tree', '--insecure', image])).stdout, /signatures \(tag sha256-[0-9a-f]{64}\.sig/);
  const sigs = lines(ok(await bosun(['download', 'signature', '--insecure', image])));
  const legacy = sigs.filter((s) => 'Base64Signature' in s);
  assert.equal(legacy.length, 2);
  assert.equal(JSON.parse(Buffer.from(legacy[0]!.Payload as string, 'base64').toString('utf8')).critical.image['docker-manifest-digest'], digest);
  assert.equal(sigs.length - legacy.length, 1);
  const atts = lines(ok(await bosun(['download', 'attestation', '--insecure', '--predicate-type', predicateTypeFor('vuln'), image])));
  assert.equal(atts.length, 2);
  assert.ok(atts.every((a) => a.payloadType === 'application/vnd.in-toto+json'));
});
