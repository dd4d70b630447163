// verifyImages against images signed and attested ONLY as OCI 1.1 referrers (Sigstore bundles,
// as cosign 3.x and `bosun sign --bundle-format referrers` write them), in bosun's own registry
// on loopback (it serves the referrers API). The seed policies are templated onto the registry.
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { admissionHandler, registryOptions, staticNamespaces, verifierDeps, type AdmissionHandler } from '../../src/admission/index.js';
import { parseReview } from '../../src/admission/review.js';
import type { Digest } from '../../src/oci/digest.js';
import * as remote from '../../src/oci/remote/index.js';
import { toPolicy, type Policy } from '../../src/policy/index.js';
import { parseYamlDocuments } from '../../src/policy/load.js';
import { openRegistry, type OpenedRegistry } from '../../src/registry/serve.js';
import { cosignTag } from '../../src/sign/index.js';
import { attestImage, signImage, verifyImageRef, type ImageSigner } from '../../src/sign/oci/index.js';
import { pushTestImage, testKeyPair } from '../helpers/cosign-push.js';
import { templatePolicies, vulnPredicate } from './policy-fixtures.js';
import { applyPatch, review, workload, type Obj } from './review-helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const vulnType = 'https://cosign.sigstore.dev/attestation/vuln/v1';
const day = 24 * 3600 * 1000;
const insecure = { insecure: true };

describe('verifyImages with referrers-only signatures and attestations', () => {
  let dir: string;
  let reg: OpenedRegistry;
  let host: string;
  let mutate: AdmissionHandler;
  let validate: AdmissionHandler;
  const digests: Record<string, Digest> = {};
  const good = testKeyPair();
  const other = testKeyPair();

  before(async () => {
    dir = await tempDir('admission-referrers');
    reg = await openRegistry({ dataDir: join(dir, 'registry') });
    host = new URL(await reg.app.listen({ host: '127.0.0.1', port: 0 })).host;
    const push = async (tag: string, key: ImageSigner, criticalFixable?: number): Promise<void> => {
      const ref = `${host}/myapp:${tag}`;
      digests[tag] = await pushTestImage(ref, tag);
      await signImage(ref, { signer: key, remote: insecure, bundleFormat: 'referrers' });
      if (criticalFixable !== undefined) await attestImage(ref, vulnType, vulnPredicate(criticalFixable, day), { signer: key, remote: insecure, bundleFormat: 'referrers' });
    };
    await push('good', good, 0);
    await push('foreign', other, 0);
    await push('vulnerable', good, 2);
    await push('unattested', good);
    templatePolicies(dir, host, good.publicKeyPem);
    const load = (f: string): Policy[] => parseYamlDocuments(readFileSync(join(dir, f), 'utf8'), f, 'POLICY_INVALID').map((d) => toPolicy(d, f));
    const opts = { policies: [...load('signed.yaml'), ...load('vuln.yaml')], verifier: verifierDeps(registryOptions([host])), namespaces: staticNamespaces({}) };
    mutate = admissionHandler('mutate', opts);
    validate = admissionHandler('validate', opts);
  });
  after(async () => {
    await reg?.close();
  });

  const signal = new AbortController().signal;
  async function admit(tag: string): Promise<{ allowed: boolean; message: string }> {
    const pod = workload('Pod', tag, 'production', [`${host}/myapp:${tag}`]);
    const m = await mutate(parseReview(review(pod)), signal);
    if (!m.allowed) return { allowed: false, message: m.status?.message ?? '' };
    const v = await validate(parseReview(review(applyPatch(pod, m.patch) as Obj)), signal);
    return { allowed: v.allowed, message: v.status?.message ?? '' };
  }

  test('the images carry no cosign tags: only referrers', async () => {
    const repo = new remote.Repository(host, 'myapp', 'pull', insecure);
    for (const d of Object.values(digests)) {
      assert.equal(await repo.manifest(cosignTag(d, 'sig')), undefined);
      assert.equal(await repo.manifest(cosignTag(d, 'att')), undefined);
      assert.equal((await repo.referrers(d)).source, 'api');
    }
  });

  test('a referrers-signed and -attested image is admitted and pinned to its digest', async () => {
    const pod = workload('Pod', 'good', 'production', [`${host}/myapp:good`]);
    const m = await mutate(parseReview(review(pod)), signal);
    assert.equal(m.allowed, true, m.status?.message);
    const ops = JSON.parse(Buffer.from(m.patch!, 'base64').toString()) as Array<{ value: string }>;
    assert.deepEqual(ops.map((o) => o.value), [`${host}/myapp:good@${digests.good}`]);
    assert.equal((await admit('good')).allowed, true);
  });

  test('admission and bosun verify agree on the same image and key', async () => {
    const key: KeyObject = good.publicKey;
    const report = await verifyImageRef(`${host}/myapp:good`, { policy: { key }, remote: insecure });
    assert.deepEqual(report.verified.map((v) => v.layout), ['referrer']);
    await assert.rejects(verifyImageRef(`${host}/myapp:foreign`, { policy: { key }, remote: insecure }));
  });

  const denials: Array<[string, string, RegExp]> = [
    ['signed and attested by another key', 'foreign', /require-signed-images\/check-image-signature: .*0 of the required 1 attestor/],
    ['an attestation whose conditions fail', 'vulnerable', /require-vuln-scan-attestation\/verify-trivy-attestation: .*fixable critical/],
    ['a signed image without the attestation', 'unattested', /require-vuln-scan-attestation\/verify-trivy-attestation: .*no 'https:\/\/cosign\.sigstore\.dev\/attestation\/vuln\/v1' attestations/],
  ];
  for (const [name, tag, why] of denials) {
    test(`denies ${name}`, async () => {
      const r = await admit(tag);
      assert.equal(r.allowed, false);
      assert.match(r.message, why);
    });
  }
});
