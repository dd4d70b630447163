// Admission webhook benchmark: self-time of the decision (handler) and client round trip, over
// HTTPS on loopback with a bounded keep-alive client (undici Pool).
// Run: node --import tsx bench/admission.ts [requests=5000] [concurrency=500]
//   1. validate-only policies, 500 in flight             (goal: p99 self-time < 5 ms)
//   2. verifyImages, warm cache, digest-pinned images     (goal: p99 self-time < 5 ms)
//   3. verifyImages, cold cache, loopback docker-registry (goal: p50 < 30 ms)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { admissionHandler, registryOptions, startAdmissionServer, staticNamespaces, verifierDeps, type AdmissionHandler } from '../src/admission/index.js';
import { toPolicy, type Policy } from '../src/policy/index.js';
import { parseYamlDocuments } from '../src/policy/load.js';
import { pushAttestation, pushSignature, pushTestImage, testKeyPair } from '../test/helpers/cosign-push.js';
import { makeCertificate, startRegistry } from '../test/helpers/registry.js';
import { review, workload } from '../test/admission/review-helpers.js';
import { templatePolicies, vulnPredicate } from '../test/admission/policy-fixtures.js';

const total = Number(process.argv[2] ?? 5000);
const concurrency = Number(process.argv[3] ?? 500);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

function timed(h: AdmissionHandler, into: number[]): AdmissionHandler {
  return async (req, signal) => {
    const t0 = process.hrtime.bigint();
    try { return await h(req, signal); } finally { into.push(Number(process.hrtime.bigint() - t0) / 1e6); }
  };
}

async function run(name: string, handler: AdmissionHandler, body: () => string, n: number, inFlight: number, dir: string, beforeEach?: () => void): Promise<void> {
  const self: number[] = [];
  const tls = makeCertificate(dir);
  const server = await startAdmissionServer({ handlers: { validate: timed(handler, self), mutate: timed(handler, self) }, certFile: tls.cert, keyFile: tls.key, addr: '127.0.0.1:0' });
  const pool = new Pool(server.url, { connections: Math.min(inFlight, 100), connect: { ca: readFileSync(tls.cert), servername: 'localhost' } });
  const rtt: number[] = [];
  let next = 0;
  let denied = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      beforeEach?.();
      const t0 = process.hrtime.bigint();
      const res = await pool.request({ path: '/validate', method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
      const json = (await res.body.json()) as { response?: { allowed?: boolean } };
      rtt.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (json.response?.allowed !== true) denied++;
    }
  };
  const start = Date.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const secs = (Date.now() - start) / 1000;
  await pool.close();
  await server.close();
  const f = (x: number): string => x.toFixed(2);
  console.log(`${name}: ${n} requests, ${inFlight} in flight, ${(n / secs).toFixed(0)} req/s, denied ${denied}`);
  console.log(`  self-time ms p50 ${f(pct(self, 50))} p99 ${f(pct(self, 99))}   round trip ms p50 ${f(pct(rtt, 50))} p99 ${f(pct(rtt, 99))}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-bench-admission-'));
  const reg = await startRegistry({ mode: 'http' });
  try {
    const key = testKeyPair();
    const repo = `${reg.host}/myapp`;
    const digest = await pushTestImage(`${repo}:v1`, 'bench');
    await pushSignature(repo, digest, key.privateKey);
    await pushAttestation(repo, digest, key.privateKey, 'https://cosign.sigstore.dev/attestation/vuln/v1', vulnPredicate(0, 3600_000));
    templatePolicies(dir, reg.host, key.publicKeyPem);
    const load = (f: string): Policy[] => parseYamlDocuments(readFileSync(join(dir, f), 'utf8'), f, 'POLICY_INVALID').map((d) => toPolicy(d, f));
    const validateOnly = [...load('004_326650791575b34a-1.yaml'), ...load('004_326650791575b34a-4.yaml'), ...load('registries.yaml')];
    const verifying = [...validateOnly, ...load('signed.yaml'), ...load('vuln.yaml')];
    const deps = verifierDeps(registryOptions([reg.host]));
    const opts = { verifier: deps, namespaces: staticNamespaces({}) };
    const pinned = `${repo}:v1@${digest}`;
    const reviewOf = (image: string) => () => JSON.stringify(review(workload('Pod', 'bench', 'production', [image, image])));

    await run('validate-only', admissionHandler('validate', { ...opts, policies: validateOnly }), reviewOf(pinned), total, concurrency, dir);
    await run('verifyImages warm cache', admissionHandler('validate', { ...opts, policies: verifying }), reviewOf(pinned), total, concurrency, dir);
    await run('verifyImages cold cache (registry on loopback)', admissionHandler('validate', { ...opts, policies: verifying }), reviewOf(pinned), Math.min(total, 200), 1, dir, () => deps.cache.clear());
  } finally {
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
