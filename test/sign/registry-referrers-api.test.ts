// The referrers API path: bosun's own registry (`bosun registry serve`) answers manifest PUTs
// with OCI-Subject and serves GET /v2/<name>/referrers/<digest>, so bosun writes no
// `sha256-<hex>` tag index there and reads referrers from the API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as remote from '../../src/oci/remote/index.js';
import { referrersTag } from '../../src/oci/remote/index.js';
import { openRegistry, type OpenedRegistry } from '../../src/registry/serve.js';
import { predicateTypeFor } from '../../src/sign/intoto.js';
import { attestImage, signImage } from '../../src/sign/oci/sign-image.js';
import { verifyAttestationRef, verifyImageRef } from '../../src/sign/oci/verify-ref.js';
import { twoLayerImage } from '../helpers/oci-image.js';
import { tempDir } from '../helpers/temp-dir.js';

const insecure = { insecure: true };
let dir: string;
let reg: OpenedRegistry;
let host: string;
before(async () => {
  dir = await tempDir('referrers-api');
  reg = await openRegistry({ dataDir: dir });
  host = new URL(await reg.app.listen({ host: '127.0.0.1', port: 0 })).host;
});
after(async () => {
  await reg?.close();
});

test('sign and attest use the referrers API when the registry has one', async () => {
  const ref = `${host}/team/api:1`;
  const { digest } = await remote.write(ref, await twoLayerImage(), insecure);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await signImage(ref, { signer: { privateKey, publicKey }, remote: insecure });
  await attestImage(ref, predicateTypeFor('custom'), { ok: true }, { signer: { privateKey, publicKey }, remote: insecure });
  const repo = new remote.Repository(host, 'team/api', 'pull', insecure);
  const found = await repo.referrers(digest);
  assert.equal(found.source, 'api');
  assert.equal(found.manifests.length, 2);
  assert.equal(await repo.manifest(referrersTag(digest)), undefined);
  const sig = await verifyImageRef(ref, { policy: { key: publicKey }, remote: insecure });
  assert.deepEqual(sig.verified.map((v) => v.layout).sort(), ['legacy', 'referrer']);
  const att = await verifyAttestationRef(ref, predicateTypeFor('custom'), { policy: { key: publicKey }, remote: insecure });
  assert.deepEqual(att.verified.map((v) => v.layout).sort(), ['legacy', 'referrer']);
});
