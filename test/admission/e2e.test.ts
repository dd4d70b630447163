// End to end: the webhook over HTTPS on loopback, Debian's docker-registry behind a counting
// proxy, images signed and attested with bosun's own signing code, the seed policies templated
// onto the test registry and key. Pods, Deployments and CronJobs go through /mutate then /validate
// (the order the API server uses), with the JSON Patch applied in between.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serveAdmission, type AdmissionServer } from '../../src/admission/index.js';
import type { Digest } from '../../src/oci/digest.js';
import { pushAttestation, pushSignature, pushTestImage, testKeyPair } from '../helpers/cosign-push.js';
import { makeCertificate, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startRegistryProxy, type RegistryProxy } from '../helpers/registry-proxy.js';
import { templatePolicies, vulnPredicate } from './policy-fixtures.js';
import { applyPatch, post, review, workload, type Obj } from './review-helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const vulnType = 'https://cosign.sigstore.dev/attestation/vuln/v1';
const day = 24 * 3600 * 1000;

describe('admission webhook end to end', () => {
  let reg: TestRegistry;
  let proxy: RegistryProxy;
  let server: AdmissionServer;
  let dir: string;
  let ca: string;
  const digests: Record<string, Digest> = {};
  const good = testKeyPair();
  const other = testKeyPair();

  before(async () => {
    dir = await tempDir('admission');
    reg = await startRegistry({ mode: 'http' });
    proxy = await startRegistryProxy(reg.url);
    const repo = `${proxy.host}/myapp`;
    const sign = async (tag: string, opts: { key?: typeof good; vuln?: [number, number] } = {}): Promise<void> => {
      const d = await pushTestImage(`${repo}:${tag}`, tag);
      digests[tag] = d;
      if (opts.key) await pushSignature(repo, d, opts.key);
      if (opts.vuln) await pushAttestation(repo, d, opts.key ?? good, vulnType, vulnPredicate(...opts.vuln));
    };
    await sign('v1', { key: good, vuln: [0, day] });
    await sign('latest', { key: good, vuln: [0, day] });
    await sign('unsigned');
    await sign('wrongsigner', { key: other, vuln: [0, day] });
    await sign('vulnerable', { key: good, vuln: [2, day] });
    await sign('stale', { key: good, vuln: [0, 30 * day] });
    await sign('eight', { key: good, vuln: [0, day] });
    await sign('together', { key: good, vuln: [0, day] });
    await sign('evil');
    const policies = join(dir, 'policies');
    mkdirSync(policies);
    templatePolicies(policies, proxy.host, good.publicKeyPem);
    const tls = makeCertificate(dir);
    ca = tls.cert;
    server = await serveAdmission({
      policiesDir: policies, certFile: tls.cert, keyFile: tls.key, addr: '127.0.0.1:0',
      insecureRegistries: [proxy.host], auditLog: join(dir, 'audit.jsonl'), policyReports: join(dir, 'reports.yaml'),
    });
  });
  after(async () => {
    await server?.close();
    await proxy?.close();
    await reg?.stop();
  });

  async function admit(object: Obj, opts: { dryRun?: boolean } = {}): Promise<{ allowed: boolean; message: string; patched: Obj }> {
    const m = await post(server.url, '/mutate', review(object, opts), ca);
    assert.equal(m.status, 200);
    if (!m.response.allowed) return { allowed: false, message: m.response.status?.message ?? '', patched: object };
    const patched = applyPatch(object, m.response.patch);
    const v = await post(server.url, '/validate', review(patched, opts), ca);
    return { allowed: v.response.allowed, message: v.response.status?.message ?? '', patched };
  }
  const img = (tag: string): string => `${proxy.host}/myapp:${tag}`;

  test('a signed, attested image is admitted and pinned to the digest that was verified', async () => {
    const cases: Array<['Pod' | 'Deployment' | 'CronJob', string]> = [
      ['Pod', '/spec/containers/0/image'],
      ['Deployment', '/spec/template/spec/containers/0/image'],
      ['CronJob', '/spec/jobTemplate/spec/template/spec/containers/0/image'],
    ];
    for (const [kind, pointer] of cases) {
      const object = workload(kind, `ok-${kind.toLowerCase()}`, 'production', [img('v1')]);
      const m = await post(server.url, '/mutate', review(object), ca);
      assert.equal(m.response.allowed, true, `${kind}: ${m.response.status?.message}`);
      assert.equal(m.response.patchType, 'JSONPatch');
      const ops = JSON.parse(Buffer.from(m.response.patch!, 'base64').toString()) as Array<{ path: string; value: string }>;
      assert.deepEqual(ops, [{ op: 'replace', path: pointer, value: `${img('v1')}@${digests.v1}` }]);
      const r = await admit(object);
      assert.equal(r.allowed, true, `${kind}: ${r.message}`);
    }
  });

  const denials: Array<[string, () => Obj, RegExp]> = [
    ['unsigned', () => workload('Pod', 'unsigned', 'production', [img('unsigned')]), /require-signed-images\/check-image-signature: .*no signatures/],
    ['wrong signer', () => workload('Pod', 'wrong', 'production', [img('wrongsigner')]), /require-signed-images\/check-image-signature: .*0 of the required 1/],
    [':latest', () => workload('Pod', 'latest', 'production', [img('latest')]), /block-latest-tag\/no-latest/],
    ['fixable critical CVE', () => workload('Deployment', 'vuln', 'production', [img('vulnerable')]), /require-vuln-scan-attestation\/autogen-verify-trivy-attestation: .*fixable critical/],
    ['stale vuln scan', () => workload('CronJob', 'stale', 'production', [img('stale')]), /require-vuln-scan-attestation\/autogen-cronjob-verify-trivy-attestation: .*older than 7 days/],
    ['unapproved registry', () => workload('Pod', 'elsewhere', 'production', [`docker.io/library/nginx@sha256:${'a'.repeat(64)}`]), /allowed-registries\/approved-registry/],
    ['unsigned init container', () => workload('Pod', 'init', 'production', [img('v1')], { initImages: [img('unsigned')] }), /no signatures/],
  ];
  for (const [name, object, why] of denials) {
    test(`denies ${name}`, async () => {
      const r = await admit(object());
      assert.equal(r.allowed, false);
      assert.match(r.message, why);
    });
  }

  test('a tag is resolved once per request; a registry that answers differently later never wins', async () => {
    proxy.swapAfterFirst('/v2/myapp/manifests/v1', '/v2/myapp/manifests/evil');
    proxy.reset();
    const m = await post(server.url, '/mutate', review(workload('Pod', 'swap', 'production', [img('v1')])), ca);
    assert.equal(m.response.allowed, true, m.response.status?.message);
    assert.equal(proxy.count((_, p) => p === '/v2/myapp/manifests/v1'), 1);
    const ops = JSON.parse(Buffer.from(m.response.patch!, 'base64').toString()) as Array<{ value: string }>;
    assert.equal(ops[0]!.value, `${img('v1')}@${digests.v1}`);
    // The registry now lies: a fresh request resolves to the unsigned image and is denied.
    const again = await post(server.url, '/mutate', review(workload('Pod', 'swap2', 'production', [img('v1')])), ca);
    assert.equal(again.response.allowed, false);
    assert.match(again.response.status!.message, new RegExp(digests.evil!));
  });

  test('8 containers with one image verify once; concurrent identical verifications are coalesced', async () => {
    proxy.reset();
    const eight = Array.from({ length: 8 }, () => img('eight'));
    const r = await post(server.url, '/mutate', review(workload('Pod', 'eight', 'production', eight)), ca);
    assert.equal(r.response.allowed, true, r.response.status?.message);
    assert.equal(proxy.count((_, p) => p === '/v2/myapp/manifests/eight'), 1);
    assert.equal(proxy.count((m, p) => m === 'GET' && p === `/v2/myapp/manifests/sha256-${digests.eight!.slice(7)}.sig`), 1);
    assert.equal(JSON.parse(Buffer.from(r.response.patch!, 'base64').toString()).length, 8);
    proxy.reset();
    const together = await Promise.all(Array.from({ length: 6 }, (_, i) => post(server.url, '/mutate', review(workload('Pod', `t${i}`, 'production', [img('together')])), ca)));
    assert.ok(together.every((t) => t.response.allowed));
    assert.equal(proxy.count((m, p) => m === 'GET' && p === `/v2/myapp/manifests/sha256-${digests.together!.slice(7)}.sig`), 1);
    assert.equal(proxy.count((m, p) => m === 'GET' && p === `/v2/myapp/manifests/sha256-${digests.together!.slice(7)}.att`), 1);
  });

  test('UPDATE of a terminating object is still validated', async () => {
    const object = workload('Pod', 'terminating', 'production', [img('unsigned')]);
    (object.metadata as Obj).deletionTimestamp = new Date().toISOString();
    const v = await post(server.url, '/mutate', review(object, { operation: 'UPDATE', oldObject: object }), ca);
    assert.equal(v.response.allowed, false);
  });

  test('audit log and policy reports; dry-run is logged as such and not reported', async () => {
    // 'eight', not 'v1': the swap test left the proxy lying about v1.
    const r = await admit(workload('Pod', 'dry', 'staging', [img('eight')]), { dryRun: true });
    assert.equal(r.allowed, true, r.message);
    await new Promise((r) => setTimeout(r, 700));
    const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Obj);
    const dry = lines.filter((l) => (l.resource as Obj).name === 'dry');
    assert.equal(dry.length, 2);
    assert.ok(dry.every((l) => l.dryRun === true && l.allowed === true && l.user === 'alice@example.com'));
    const images = dry[0]!.images as Array<{ image: string; digest: string; verified: boolean }>;
    assert.deepEqual(images.map((i) => [i.image, i.digest, i.verified]), [[img('eight'), digests.eight, true]]);
    const denied = lines.find((l) => (l.resource as Obj).name === 'unsigned');
    assert.equal(denied?.allowed, false);
    const reports = readFileSync(join(dir, 'reports.yaml'), 'utf8');
    assert.match(reports, /kind: PolicyReport/);
    assert.match(reports, /namespace: production/);
    assert.doesNotMatch(reports, /name: dry\b/);
  });
});
