// `npm run demo`: the pipeline that exists today, on embedded defaults, end to end.
// Builds a sample image from real Debian and npm packages, then drives the bosun CLI over it
// exactly as a user would type it. Each stage prints its command first.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSampleImage, sampleRepoTag, sampleTag } from './lib/sample-image.js';

const root = new URL('..', import.meta.url).pathname; // ends with '/'
const work = join(root, '.cache', 'demo');
const bin = join(root, 'bin', 'bosun.js');
const env = { ...process.env, COSIGN_PASSWORD: 'demo-password', BOSUN_CACHE_DIR: join(work, 'cache') };

function stage(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

/** Runs `bosun args…`, echoing the command; fails the demo unless the exit code is `want`. */
function bosun(args: string[], opts: { want?: number; echo?: boolean } = {}): string {
  process.stdout.write(`$ bosun ${args.map((a) => a.replaceAll(work + '/', '').replaceAll(root, '')).join(' ')}\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', cwd: work });
  const want = opts.want ?? 0;
  if (opts.echo !== false) process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status !== want) throw new Error(`demo: bosun ${args[0]} exited ${r.status}, expected ${want}`);
  return r.stdout;
}

await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });

stage('1. build a sample image from real packages (Debian debs + npm packages)');
const sample = await buildSampleImage({ log: (m) => process.stdout.write(`   ${m}\n`) });
const oci = `oci:${sample.layoutDir}:${sampleTag}`;
const archive = `docker-archive:${sample.archivePath}:${sampleRepoTag}`;

stage('2. inspect it as an OCI layout and as a docker-archive');
bosun(['inspect', oci]);
const fromArchive = JSON.parse(bosun(['inspect', archive, '--format', 'json'], { echo: false })) as { config: { digest: string } };
process.stdout.write(`   (the docker-archive stores uncompressed layers, so its manifest digest differs; the config ${fromArchive.config.digest.slice(0, 19)}… is the same)\n`);

stage('3. copy between sources, skopeo-style');
const copied = join(work, 'copy.tar');
bosun(['copy', oci, `docker-archive:${copied}:bosun/sample:copy`]);
bosun(['copy', `docker-archive:${copied}`, `oci:${join(work, 'oci')}:copy`]);

stage('4. sign and verify the archive with a cosign-format key pair');
bosun(['generate-key-pair', '--output-key-prefix', 'cosign']);
bosun(['sign-blob', '--key', join(work, 'cosign.key'), '--bundle', join(work, 'sample.bundle.json'), sample.archivePath]);
bosun(['verify-blob', '--key', join(work, 'cosign.pub'), '--bundle', join(work, 'sample.bundle.json'), sample.archivePath]);

stage('5. admission policies from the seeds, evaluated offline');
const digest = await sample.image.digest();
const pod = (name: string, image: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: production }
spec:
  containers:
    - name: app
      image: ${image}
`;
const resources = join(work, 'pods.yaml');
await writeFile(resources, [pod('pinned', `registry.example/bosun/sample@${digest}`), pod('floating', 'registry.example/bosun/sample:latest')].join('---\n'));
const seeds = join(root, 'test', 'fixtures', 'policy', 'seeds');
// Exit 1 is the expected outcome here: the floating-tag pod must be refused.
bosun(['policy', 'apply', '-p', join(seeds, '004_326650791575b34a-1.yaml'), join(seeds, '004_326650791575b34a-4.yaml'), '-r', resources], { want: 1 });

stage('6. SBOMs of the sample image: SPDX and CycloneDX in one read of the layers');
const spdxFile = join(work, 'sample.spdx.json');
const cdxFile = join(work, 'sample.cdx.json');
bosun(['sbom', oci, '-o', `spdx-json=${spdxFile}`, '-o', `cyclonedx-json=${cdxFile}`]);
const cdx = JSON.parse(await readFile(cdxFile, 'utf8')) as { components: Array<{ type: string; purl?: string }> };
const perType = new Map<string, number>();
const typeOf = (purl: string) => purl.slice('pkg:'.length, purl.indexOf('/'));
for (const c of cdx.components) if (c.purl) perType.set(typeOf(c.purl), (perType.get(typeOf(c.purl)) ?? 0) + 1);
process.stdout.write(`   packages per type: ${[...perType].map(([t, n]) => `${t} ${n}`).join(', ')}\n`);
bosun(['sbom', oci, '-o', `bosun-json=${join(work, 'sample.bosun.json')}`]);
process.stdout.write('   (the second run replays every layer from the layer cache: no layer is read)\n');

stage('7. scan it: import the bundled advisory set (facts only, offline), then scan image and SBOM');
const dbDir = join(work, 'vuln-db');
bosun(['db', 'import', join(root, 'scripts', 'demo-data', 'advisories'), '--source', 'demo', '--db-dir', dbDir]);
bosun(['image', oci, '--offline', '--db-dir', dbDir, '--severity', 'HIGH,CRITICAL']);
// A CI gate: findings at or above HIGH fail the step, as `trivy image --exit-code 1` would.
bosun(['image', oci, '--offline', '--db-dir', dbDir, '--severity', 'CRITICAL,HIGH', '--exit-code', '1', '-q', '--format', 'sarif', '-o', join(work, 'sample.sarif')], { want: 1 });
bosun(['sbom-scan', cdxFile, '--offline', '--db-dir', dbDir, '--format', 'json', '-o', join(work, 'sample.vulns.json')]);
const report = JSON.parse(await readFile(join(work, 'sample.vulns.json'), 'utf8')) as { results: Array<{ findings: unknown[] }> };
process.stdout.write(`   findings in the SBOM scan: ${report.results.reduce((n, r) => n + r.findings.length, 0)}\n`);

stage('8. store it in bosun\'s own registry on loopback (admin account, token auth), sign it, attest its SBOM, verify both');
const port = await freePort();
const adminPassword = join(work, 'admin.pw');
const registry = spawn(process.execPath, [bin, 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--data', join(work, 'registry'), '--admin-password-file', adminPassword, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
try {
  await waitForRegistry(port);
  // The registry wrote a random admin password (mode 0600) on first start; clients log in with it.
  const anonymous = await fetch(`http://127.0.0.1:${port}/v2/demo/sample/tags/list`);
  process.stdout.write(`   anonymous request: HTTP ${anonymous.status} (${anonymous.headers.get('www-authenticate')?.split(',')[0] ?? ''})\n`);
  Object.assign(env, { BOSUN_USERNAME: 'admin', BOSUN_PASSWORD: (await readFile(adminPassword, 'utf8')).trim() });
  const ref = `127.0.0.1:${port}/demo/sample:1.0`;
  bosun(['copy', oci, ref, '--insecure']);
  bosun(['sign', '--key', 'cosign.key', ref, '--insecure']);
  bosun(['attest', '--key', 'cosign.key', '--type', 'cyclonedx', '--predicate', cdxFile, ref, '--insecure']);
  bosun(['verify', '--key', 'cosign.pub', ref, '--insecure'], { echo: false });
  bosun(['verify-attestation', '--key', 'cosign.pub', '--type', 'cyclonedx', ref, '--insecure'], { echo: false });
  bosun(['tree', ref, '--insecure']);
} finally {
  registry.kill();
}

process.stdout.write('\ndemo complete: outputs are in .cache/demo/\n');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address() as AddressInfo;
      srv.close(() => resolve(p));
    }).on('error', reject);
  });
}

async function waitForRegistry(p: number): Promise<void> {
  // Up to 60 s: a loaded CI machine has taken over 10 s just to load and transpile the server.
  for (let i = 0; i < 600; i++) {
    // any HTTP answer means it listens (with auth on, /v2/ answers 401)
    const ok = await fetch(`http://127.0.0.1:${p}/v2/`).then(() => true, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('demo: bosun registry did not start');
}
