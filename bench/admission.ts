// Admission webhook benchmark: self-time of the decision (handler) and client round trip, over
// HTTPS on loopback. The load generator is a child process (bench/lib/admission-client.ts), so
// only the webhook runs on the measured event loop.
// Run: node --import tsx bench/admission.ts [requests=5000] [concurrency=500]
//   1. validate-only policies, N in flight                          (goal: p99 self-time < 5 ms)
//   2. verifyImages, warm cache (warmed by one request first)         (goal: p99 self-time < 5 ms)
//   3. verifyImages, cold burst: N identical requests on an empty cache (one verification, shared)
//   4. verifyImages, cold cache, loopback docker-registry, 1 in flight (goal: p50 < 30 ms)
// Besides percentiles it prints the webhook process's CPU time per request (independent of how
// busy the machine is), how many decisions crossed an event-loop turn (waited on I/O or another
// verification), the longest GC pause, the event-loop delay p99 and the load average.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { admissionHandler, parseReview, registryOptions, startAdmissionServer, staticNamespaces, verifierDeps, type AdmissionHandler } from '../src/admission/index.js';
import { toPolicy, type Policy } from '../src/policy/index.js';
import { parseYamlDocuments } from '../src/policy/load.js';
import { pushAttestation, pushSignature, pushTestImage, testKeyPair } from '../test/helpers/cosign-push.js';
import { makeCertificate, startRegistry } from '../test/helpers/registry.js';
import { review, workload } from '../test/admission/review-helpers.js';
import { templatePolicies, vulnPredicate } from '../test/admission/policy-fixtures.js';
import type { ClientJob, ClientResult } from './lib/admission-client.js';

const total = Number(process.argv[2] ?? 5000);
const concurrency = Number(process.argv[3] ?? 500);

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

interface Timing { ms: number; crossedTurn: boolean }

// Times the handler; `crossedTurn` is true when a setImmediate scheduled at its start ran before
// it finished, i.e. the decision waited for I/O (or a shared verification) rather than only CPU.
function timed(h: AdmissionHandler, into: Timing[], beforeEach?: () => void): AdmissionHandler {
  return async (req, signal) => {
    beforeEach?.();
    let crossedTurn = false;
    const probe = setImmediate(() => (crossedTurn = true));
    const t0 = performance.now();
    try {
      return await h(req, signal);
    } finally {
      into.push({ ms: performance.now() - t0, crossedTurn });
      clearImmediate(probe);
    }
  };
}

function runClient(job: ClientJob): Promise<ClientResult> {
  const child = fork(join(import.meta.dirname, 'lib/admission-client.ts'), [], { execArgv: ['--import', 'tsx'] });
  return new Promise((ok, fail) => {
    child.once('message', (m) => ok(m as ClientResult));
    child.once('exit', (code) => code !== 0 && fail(new Error(`load client exited with ${code}`)));
    child.send(job);
  });
}

let gcMaxMs = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, e.duration); }).observe({ entryTypes: ['gc'] });

interface Scenario { name: string; handler: AdmissionHandler; body: string; requests: number; inFlight: number; beforeEach?: () => void }

async function run(s: Scenario, dir: string): Promise<void> {
  const self: Timing[] = [];
  const tls = makeCertificate(dir);
  const h = timed(s.handler, self, s.beforeEach);
  const server = await startAdmissionServer({ handlers: { validate: h, mutate: h }, certFile: tls.cert, keyFile: tls.key, addr: '127.0.0.1:0' });
  const load0 = loadavg()[0]!;
  gcMaxMs = 0;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const cpu0 = process.cpuUsage();
  const r = await runClient({ url: server.url, ca: readFileSync(tls.cert, 'utf8'), path: '/validate', body: s.body, requests: s.requests, inFlight: s.inFlight });
  const cpu = process.cpuUsage(cpu0);
  delay.disable();
  await server.close();
  const ms = self.map((t) => t.ms);
  const f = (x: number): string => x.toFixed(2);
  console.log(`${s.name}: ${s.requests} requests, ${s.inFlight} in flight, ${(s.requests / r.seconds).toFixed(0)} req/s, denied ${r.denied}, load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
  console.log(`  self-time ms p50 ${f(pct(ms, 50))} p99 ${f(pct(ms, 99))} max ${f(Math.max(...ms))}   round trip ms p50 ${f(pct(r.roundTripsMs, 50))} p99 ${f(pct(r.roundTripsMs, 99))}`);
  console.log(`  webhook CPU per request ${f((cpu.user + cpu.system) / 1000 / s.requests)} ms (TLS, HTTP, JSON, decision, GC)`);
  console.log(`  decisions that waited on I/O ${self.filter((t) => t.crossedTurn).length}, longest GC pause ${f(gcMaxMs)} ms, event-loop delay p99 ${f(delay.percentile(99) / 1e6)} ms`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-bench-admission-'));
  const reg = await startRegistry({ mode: 'http' });
  try {
    const key = testKeyPair();
    const repo = `${reg.host}/myapp`;
    const digest = await pushTestImage(`${repo}:v1`, 'bench');
    await pushSignature(repo, digest, key);
    await pushAttestation(repo, digest, key, 'https://cosign.sigstore.dev/attestation/vuln/v1', vulnPredicate(0, 3600_000));
    templatePolicies(dir, reg.host, key.publicKeyPem);
    const load = (f: string): Policy[] => parseYamlDocuments(readFileSync(join(dir, f), 'utf8'), f, 'POLICY_INVALID').map((d) => toPolicy(d, f));
    const validateOnly = [...load('004_326650791575b34a-1.yaml'), ...load('004_326650791575b34a-4.yaml'), ...load('registries.yaml')];
    const verifying = [...validateOnly, ...load('signed.yaml'), ...load('vuln.yaml')];
    const deps = verifierDeps(registryOptions([reg.host]));
    const opts = { verifier: deps, namespaces: staticNamespaces({}) };
    const body = JSON.stringify(review(workload('Pod', 'bench', 'production', [`${repo}:v1@${digest}`, `${repo}:v1@${digest}`])));
    const verify = admissionHandler('validate', { ...opts, policies: verifying });

    await run({ name: 'validate-only', handler: admissionHandler('validate', { ...opts, policies: validateOnly }), body, requests: total, inFlight: concurrency }, dir);
    const warm = await verify(parseReview(JSON.parse(body)), new AbortController().signal);
    if (!warm.allowed || deps.cache.size === 0) throw new Error(`warm-up request was not verified and cached: ${warm.status?.message}`);
    await run({ name: 'verifyImages warm cache', handler: verify, body, requests: total, inFlight: concurrency }, dir);
    deps.cache.clear();
    await run({ name: 'verifyImages cold burst (one shared verification)', handler: verify, body, requests: concurrency, inFlight: concurrency }, dir);
    await run({ name: 'verifyImages cold cache (registry on loopback)', handler: verify, body, requests: Math.min(total, 200), inFlight: 1, beforeEach: () => deps.cache.clear() }, dir);
  } finally {
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
