// The handler and its decorators without a registry: an in-memory SignatureSource holding real
// signatures made with src/sign (the registry path is covered by e2e.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, describe, test } from 'node:test';
import {
  acceptExceptions, admissionHandler, parseVerifyImages, startAdmissionServer, staticNamespaces, unavailableNamespaces,
  withFailurePolicy, withTimeout, type AdmissionHandler, type SignatureSource, type Verified,
} from '../../src/admission/index.js';
import { parseReview } from '../../src/admission/review.js';
import { isBosunError } from '../../src/errors.js';
import type { Digest } from '../../src/oci/digest.js';
import { toPolicy, type Policy } from '../../src/policy/index.js';
import type { SignatureMaterial } from '../../src/sign/index.js';
import { VerificationCache, type AttachmentKind, type Attachments } from '../../src/sign/oci/index.js';
import { IN_TOTO_PAYLOAD_TYPE, buildSimpleSigning, buildStatement, cosignLayout, envelopeToJson, signEnvelope } from '../../src/sign/index.js';
import { signData } from '../../src/sign/algorithms.js';
import { testKeyPair } from '../helpers/cosign-push.js';
import { makeCertificate } from '../helpers/registry.js';
import { review, workload, type Obj } from './review-helpers.js';

const key = testKeyPair();
const digest = `sha256:${'1'.repeat(64)}` as Digest;
const image = `registry.test/app@${digest}`;
const vulnType = 'https://cosign.sigstore.dev/attestation/vuln/v1';

// An in-memory SignatureSource: material as the registry reader would hand it over (cosign tag layout).
function source(find: (digest: Digest, kind: AttachmentKind) => SignatureMaterial[]): SignatureSource {
  return {
    find: async (_repo, d, kind): Promise<Attachments> => {
      const material = find(d, kind);
      return { material, sources: material.map(() => ({ layout: 'legacy', where: 'memory', annotations: {} })), unreadable: [] };
    },
    resolve: async () => { throw new Error('no tags here'); },
  };
}

function material(criticals: number): { source: SignatureSource; calls: () => number } {
  const payload = buildSimpleSigning('registry.test/app', digest);
  const sig: SignatureMaterial = { kind: 'legacy', payload, annotations: { [cosignLayout.annotations.signature]: signData(key.privateKey, payload).toString('base64') }, mediaType: cosignLayout.simpleSigningMediaType };
  const statement = buildStatement([{ name: 'registry.test/app', digest }], vulnType, { scanner: { result: { criticals } } });
  const env = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), key.privateKey);
  const att: SignatureMaterial = { kind: 'legacy', payload: Buffer.from(JSON.stringify(envelopeToJson(env))), annotations: {}, mediaType: cosignLayout.dsseMediaType };
  let calls = 0;
  return { source: source((d, kind) => { calls++; return d === digest ? [kind === 'signature' ? sig : att] : []; }), calls: () => calls };
}

function policy(extra: { action?: string; failurePolicy?: string; conditions?: unknown; refs?: string[]; namespaceSelector?: unknown } = {}): Policy {
  return toPolicy({
    apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'signed' },
    spec: {
      validationFailureAction: extra.action ?? 'Enforce', ...(extra.failurePolicy ? { failurePolicy: extra.failurePolicy } : {}),
      rules: [{
        name: 'verify', match: { any: [{ resources: { kinds: ['Pod'], ...(extra.namespaceSelector ? { namespaceSelector: extra.namespaceSelector } : {}) } }] },
        verifyImages: [{
          imageReferences: extra.refs ?? ['registry.test/*'],
          attestors: [{ entries: [{ keys: { publicKeys: key.publicKeyPem } }] }],
          attestations: [{ predicateType: vulnType, conditions: extra.conditions ?? [{ all: [{ key: '{{ scanner.result.criticals }}', operator: 'Equals', value: 0 }] }] }],
        }],
      }],
    },
  }, 'test');
}

function handler(policies: Policy[], source: SignatureSource, opts: { namespaces?: ReturnType<typeof staticNamespaces>; cache?: VerificationCache<Verified>; exceptions?: ReturnType<typeof acceptExceptions>['accepted'] } = {}): AdmissionHandler {
  return admissionHandler('validate', {
    policies,
    verifier: { signatures: source, cache: opts.cache ?? new VerificationCache<Verified>() },
    namespaces: opts.namespaces ?? staticNamespaces({ prod: { env: 'prod' } }),
    exceptions: () => opts.exceptions ?? [],
  });
}

const req = (object: Obj, o: Parameters<typeof review>[1] = {}) => parseReview(review(object, o));
const pod = (img = image, ns = 'prod') => workload('Pod', 'p', ns, [img]);
const signal = new AbortController().signal;

describe('admission handler', () => {
  test('allows a verified image whose attestation meets the conditions; denies one that does not', async () => {
    assert.equal((await handler([policy()], material(0).source)(req(pod()), signal)).allowed, true);
    const denied = await handler([policy()], material(3).source)(req(pod()), signal);
    assert.equal(denied.allowed, false);
    assert.equal(denied.status?.code, 403);
  });

  test('cached verifications still re-evaluate conditions (kyverno#17173)', async () => {
    const m = material(1);
    const cache = new VerificationCache<Verified>();
    const lenient = policy({ conditions: [{ all: [{ key: '{{ scanner.result.criticals }}', operator: 'LessThan', value: 5 }] }] });
    assert.equal((await handler([lenient], m.source, { cache })(req(pod()), signal)).allowed, true);
    const calls = m.calls();
    assert.equal((await handler([policy()], m.source, { cache })(req(pod()), signal)).allowed, false);
    assert.equal(m.calls(), calls, 'signatures came from the cache');
  });

  test('a digest signed in one repository does not pass from the cache when deployed from another', async () => {
    const m = material(0);
    const onlyApp: SignatureSource = { ...m.source, find: (repo, d, kind, sig) => (repo.repository === 'app' ? m.source.find(repo, d, kind, sig) : source(() => []).find(repo, d, kind, sig)) };
    const cache = new VerificationCache<Verified>();
    assert.equal((await handler([policy()], onlyApp, { cache })(req(pod()), signal)).allowed, true);
    const copy = await handler([policy()], onlyApp, { cache })(req(pod(`registry.test/copy@${digest}`)), signal);
    assert.equal(copy.allowed, false);
    assert.match(copy.status!.message, /no signatures/);
  });

  test('Audit mode admits with warnings', async () => {
    const d = await handler([policy({ action: 'Audit' })], material(3).source)(req(pod()), signal);
    assert.equal(d.allowed, true);
    assert.match(d.warnings?.[0] ?? '', /^signed\/verify: /);
  });

  test('a tag-only image fails verifyDigest on /validate', async () => {
    const d = await handler([policy()], material(0).source)(req(pod('registry.test/app:v1')), signal);
    assert.equal(d.allowed, false);
    assert.match(d.status!.message, /not pinned by digest/);
  });

  test('verification that cannot complete fails closed unless the policy says failurePolicy: Ignore', async () => {
    const broken = source(() => { throw new Error('registry unreachable'); });
    assert.equal((await handler([policy()], broken)(req(pod()), signal)).allowed, false);
    const ignored = await handler([policy({ failurePolicy: 'Ignore' })], broken)(req(pod()), signal);
    assert.equal(ignored.allowed, true);
    assert.equal(ignored.warnings?.length, 1);
  });

  test('namespace lookup failure denies (CVE-2025-46342); labels drive namespaceSelector', async () => {
    const sel = policy({ namespaceSelector: { matchLabels: { env: 'prod' } } });
    const d = await handler([sel], material(3).source, { namespaces: unavailableNamespaces('api server down') })(req(pod()), signal);
    assert.equal(d.allowed, false);
    assert.equal(d.status?.code, 500);
    assert.equal((await handler([sel], material(3).source)(req(pod(image, 'dev')), signal)).allowed, true, 'dev has no env=prod label');
    assert.equal((await handler([sel], material(3).source)(req(pod(image, 'prod')), signal)).allowed, false);
  });

  test('UPDATE of a terminating object is validated (CVE-2023-34091)', async () => {
    const p = pod();
    (p.metadata as Obj).deletionTimestamp = '2026-01-01T00:00:00Z';
    assert.equal((await handler([policy()], material(3).source)(req(p, { operation: 'UPDATE', oldObject: p }), signal)).allowed, false);
  });

  test('withTimeout aborts and withFailurePolicy decides', async () => {
    const slow: AdmissionHandler = (r, s) => new Promise((_, reject) => s.addEventListener('abort', () => reject(s.reason)));
    const r = req(pod());
    const fail = await withFailurePolicy(withTimeout(slow, 30), 'Fail')(r, signal);
    assert.deepEqual([fail.allowed, fail.status?.code], [false, 500]);
    assert.match(fail.status!.message, /ADMISSION_TIMEOUT/);
    const ignore = await withFailurePolicy(withTimeout(slow, 30), 'Ignore')(r, signal);
    assert.equal(ignore.allowed, true);
  });

  test('bad AdmissionReviews are ADMISSION_REVIEW_INVALID', () => {
    for (const bad of [{}, { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} }, { ...review(pod()), request: { uid: 'x' } }]) {
      assert.throws(() => parseReview(bad), (e) => isBosunError(e, 'ADMISSION_REVIEW_INVALID'));
    }
  });

  test('verifyImages entries that cannot be honoured are POLICY_INVALID', () => {
    const bad: unknown[] = [
      [{ imageReferences: ['*'] }],
      [{ imageReferences: ['*'], type: 'Notary', attestors: [{ entries: [{ keys: { publicKeys: key.publicKeyPem } }] }] }],
      [{ imageReferences: ['*'], attestors: [{ entries: [{ keyless: { subject: 'a', issuer: 'b', roots: 'PEM' } }] }] }],
      [{ imageReferences: ['*'], attestors: [{ count: 2, entries: [{ keys: { publicKeys: key.publicKeyPem } }] }] }],
      [{ imageReferences: ['*'], attestors: [{ entries: [{ keys: { publicKeys: 'k8s://ns/secret' } }] }] }],
    ];
    for (const b of bad) assert.throws(() => parseVerifyImages(b), (e) => isBosunError(e, 'POLICY_INVALID'), JSON.stringify(b));
    const [e] = parseVerifyImages([{ imageReferences: ['*'], attestors: [{ entries: [{ keyless: { subject: 'https://github.com/org/*', issuerRegExp: 'https://token\\..*' } }] }] }]);
    const a = e!.attestorSets[0]!.attestors[0]!;
    assert.equal(a.kind, 'keyless');
    assert.deepEqual(a.kind === 'keyless' && a.identity.subject, { kind: 'regexp', pattern: 'https://github\\.com/org/.*' });
  });
});

describe('break-glass exceptions', () => {
  const exc = (ns: string, annotations: Record<string, string>) => ({
    apiVersion: 'kyverno.io/v2', kind: 'PolicyException', metadata: { name: `e-${ns}`, namespace: ns, annotations },
    spec: { exceptions: [{ policyName: 'signed', ruleNames: ['verify'] }], match: { any: [{ resources: { kinds: ['Pod'], namespaces: ['prod'] } }] } },
  });
  const full = { 'bosun.dev/reason': 'incident 42', 'bosun.dev/ticket': 'OPS-42', 'bosun.dev/expires': '2999-01-01T00:00:00Z' };

  test('accepted only from the configured namespace with reason, ticket and expiry', () => {
    const { accepted, rejected } = acceptExceptions([
      exc('break-glass', full),
      exc('default', full),
      exc('break-glass', { ...full, 'bosun.dev/ticket': '' }),
      exc('break-glass', { 'bosun.dev/reason': 'x', 'bosun.dev/ticket': 'y' }),
    ], 'break-glass');
    assert.deepEqual(accepted.map((a) => a.key), ['break-glass/e-break-glass']);
    assert.equal(rejected.length, 3);
  });

  test('a live exception admits and is reported; an expired one is ignored', async () => {
    const live = acceptExceptions([exc('break-glass', full)], 'break-glass').accepted;
    const d = await handler([policy()], material(3).source, { exceptions: live })(req(pod()), signal);
    assert.equal(d.allowed, true);
    assert.deepEqual(d.details?.exceptions.map((u) => [u.exception, u.ticket, u.rule]), [['break-glass/e-break-glass', 'OPS-42', 'verify']]);
    assert.equal(d.details?.results[0]?.status, 'skip');
    const expired = acceptExceptions([exc('break-glass', { ...full, 'bosun.dev/expires': '2020-01-01T00:00:00Z' })], 'break-glass').accepted;
    assert.equal((await handler([policy()], material(3).source, { exceptions: expired })(req(pod()), signal)).allowed, false);
  });
});

describe('HTTPS server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-admission-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const fingerprint = (port: number): Promise<string> => new Promise((ok, fail) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => { ok(s.getPeerCertificate().fingerprint256); s.end(); });
    s.on('error', fail);
  });

  test('reloads the certificate when the files are swapped', async () => {
    const first = makeCertificate(dir);
    const server = await startAdmissionServer({ handlers: { validate: handler([policy()], material(0).source), mutate: handler([policy()], material(0).source) }, certFile: first.cert, keyFile: first.key, addr: '127.0.0.1:0' });
    try {
      const before = await fingerprint(server.port);
      const next = mkdtempSync(join(dir, 'next-'));
      const second = makeCertificate(next);
      const reloaded = server.reloaded();
      renameSync(second.key, first.key);
      renameSync(second.cert, first.cert);
      await reloaded;
      const afterSwap = await fingerprint(server.port);
      assert.notEqual(afterSwap, before);
    } finally {
      await server.close();
    }
  });
});

describe('attestor count and required', () => {
  const other = testKeyPair();
  const twoKeys = (count: number | undefined, required?: boolean): Policy => toPolicy({
    apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'count' },
    spec: {
      validationFailureAction: 'Enforce',
      rules: [{
        name: 'verify', match: { any: [{ resources: { kinds: ['Pod'] } }] },
        verifyImages: [{
          imageReferences: ['registry.test/*'], ...(required === undefined ? {} : { required }),
          attestors: [{ ...(count ? { count } : {}), entries: [{ keys: { publicKeys: key.publicKeyPem } }, { keys: { publicKeys: other.publicKeyPem } }] }],
        }],
      }],
    },
  }, 'test');

  test('count: 1 of two keys admits an image signed by one; no count means all must verify', async () => {
    assert.equal((await handler([twoKeys(1)], material(0).source)(req(pod()), signal)).allowed, true);
    assert.equal((await handler([twoKeys(undefined)], material(0).source)(req(pod()), signal)).allowed, false);
  });

  test('required: false admits an image with no signatures, but not one with a bad signature', async () => {
    const none = source(() => []);
    assert.equal((await handler([twoKeys(1, false)], none)(req(pod()), signal)).allowed, true);
    assert.equal((await handler([twoKeys(1, true)], none)(req(pod()), signal)).allowed, false);
    const foreign = testKeyPair();
    const payload = buildSimpleSigning('registry.test/app', digest);
    const bad = source(() => [{ kind: 'legacy', payload, annotations: { [cosignLayout.annotations.signature]: signData(foreign.privateKey, payload).toString('base64') }, mediaType: cosignLayout.simpleSigningMediaType }]);
    assert.equal((await handler([twoKeys(1, false)], bad)(req(pod()), signal)).allowed, false);
  });
});
