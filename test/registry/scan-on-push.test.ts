import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { parseRegistryConfig } from '../../src/registry/config.js';
import { RegistryEvents, type RegistryEvent } from '../../src/registry/events.js';
import { MetricsRegistry } from '../../src/registry/metrics/metrics-registry.js';
import { reportArtifactType } from '../../src/registry/scan/attach.js';
import { scanOnPush, type ScanHandle } from '../../src/registry/scan/scan-on-push.js';
import { importDatabase } from '../../src/vuln/db/index.js';
import type { ScanReport } from '../../src/vuln/scan/report.js';
import { osvDir } from '../helpers/memory-advisories.js';
import { imageFixture, indexFixture, type ImageFixture } from '../helpers/oci-image.js';
import { bookwormExpatXzStatus, debianOsRelease } from '../helpers/sbom-fixture.js';
import { codeOf, imageManifest, makeApp, pushBlob, putManifest } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

// Two real Debian 12 package versions (sbom-fixture.ts) and a real lodash release, as in test/cli/scan-commands.
const status = bookwormExpatXzStatus;
// Expected from the records' ranges (see scan-commands.test.ts for the reasoning).
const expected = ['CVE-2020-28500', 'CVE-2023-52425', 'CVE-2026-102633', 'CVE-2026-34743', 'NSWG-ECO-516'];
const records: Array<[Parameters<typeof osvDir>[0], string]> = [
  ['debian-changelog', 'DEBCL-CVE-2023-52425'], ['debian-changelog', 'DEBCL-CVE-2026-102633'], ['debian-changelog', 'DEBCL-CVE-2024-45490'],
  ['debian-changelog', 'DEBCL-CVE-2026-34743'], ['debian-changelog', 'DEBCL-CVE-2025-31115'],
  ['ghsa-subset', 'GHSA-29mw-wpgm-hmr9'], ['nodejs-security-wg', 'NSWG-ECO-516'],
];

let dbDir: string;
let vulnerable: ImageFixture;
let clean: ImageFixture;

before(async () => {
  const work = await tempDir('scan-push');
  const osv = path.join(work, 'osv');
  mkdirSync(osv);
  for (const [dir, id] of records) copyFileSync(path.join(osvDir(dir), `${id}.json`), path.join(osv, `${id}.json`));
  dbDir = path.join(work, 'db');
  await importDatabase([osv], { dir: dbDir });
  vulnerable = await imageFixture([
    [{ path: 'etc/os-release', content: Buffer.from(debianOsRelease) }, { path: 'var/lib/dpkg/status', content: Buffer.from(status) }],
    [{ path: 'app/node_modules/lodash/package.json', content: Buffer.from(JSON.stringify({ name: 'lodash', version: '4.17.15', license: 'MIT' })) }],
  ]);
  clean = await imageFixture([[{ path: 'etc/os-release', content: Buffer.from(debianOsRelease) }]], { platform: { os: 'linux', architecture: 'arm64' } });
});

async function push(app: FastifyInstance, repo: string, image: ImageFixture, tag: string): Promise<void> {
  for (const blob of image.blobs.values()) await pushBlob(app, repo, blob);
  assert.equal((await putManifest(app, repo, tag, image.raw)).statusCode, 201);
}

async function scanApp(scan: Record<string, unknown>) {
  const events = new RegistryEvents();
  const seen: RegistryEvent[] = [];
  events.on((e) => {
    seen.push(e);
  });
  let handle: ScanHandle | undefined;
  const config = parseRegistryConfig({ scan: { enabled: true, dbDir, offline: true, ...scan } }).scan;
  const app = await makeApp({ events, extensions: [scanOnPush(config, { metrics: new MetricsRegistry(), onStart: (h) => (handle = h) })] });
  return { app, seen, idle: () => handle!.queue.idle() };
}

const ids = (r: ScanReport): string[] => r.results.flatMap((x) => x.findings.filter((f) => !f.suppression).map((f) => f.id)).sort();

interface ScanView {
  status: string;
  summary?: ScanReport['summary'];
  report?: ScanReport;
  sbomDigest?: Digest;
  reportDigest?: Digest;
  reason?: string;
  children?: Array<{ digest: string; status: string }>;
}

async function scanOf(app: FastifyInstance, repo: string, digest: string): Promise<ScanView> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/scans/${repo}/${digest}` });
  assert.equal(res.statusCode, 200, res.body);
  return JSON.parse(res.body) as ScanView;
}

test('scan on push: a pushed image is scanned from the stores, the result served and attached as referrers', async () => {
  const { app, seen, idle } = await scanApp({});
  await push(app, 'team/app', vulnerable, 'v1');
  await idle();
  const view = await scanOf(app, 'team/app', vulnerable.digest);
  assert.equal(view.status, 'done', view.reason);
  assert.deepEqual(ids(view.report!), expected);
  assert.equal(view.summary!.total, expected.length);
  const scanEvent = seen.find((e) => e.type === 'scan');
  assert.deepEqual(scanEvent && { ...scanEvent, time: undefined, summary: scanEvent.summary.total }, { type: 'scan', repo: 'team/app', digest: vulnerable.digest, status: 'done', summary: 5, time: undefined });

  const referrers = await app.inject({ method: 'GET', url: `/v2/team/app/referrers/${vulnerable.digest}` });
  const index = JSON.parse(referrers.body) as { manifests: Array<{ digest: Digest; artifactType: string }> };
  assert.deepEqual(index.manifests.map((m) => m.artifactType).sort(), ['application/vnd.cyclonedx+json', reportArtifactType].sort());
  assert.deepEqual(index.manifests.map((m) => m.digest).sort(), [view.sbomDigest, view.reportDigest].sort());
  // The SBOM referrer is an ordinary pulled artifact: manifest, then its layer blob.
  const sbomManifest = JSON.parse((await app.inject({ method: 'GET', url: `/v2/team/app/manifests/${view.sbomDigest}` })).body) as { subject: { digest: string }; layers: Array<{ digest: string }> };
  assert.equal(sbomManifest.subject.digest, vulnerable.digest);
  const sbom = JSON.parse((await app.inject({ method: 'GET', url: `/v2/team/app/blobs/${sbomManifest.layers[0]!.digest}` })).body) as { bomFormat: string; components: Array<{ purl: string }> };
  assert.equal(sbom.bomFormat, 'CycloneDX');
  assert.ok(sbom.components.some((c) => c.purl === 'pkg:npm/lodash@4.17.15'));
  // The attachments were pushed, announced, and not themselves queued for a scan.
  assert.equal(seen.filter((e) => e.type === 'push' && e.subject === vulnerable.digest).length, 2);
  assert.equal(seen.filter((e) => e.type === 'scan').length, 1);
  assert.equal((await scanOf(app, 'team/app', view.sbomDigest!)).status, 'skipped');
  await app.close();
});

test('scan on push: blockPullsAbove refuses GETs of images at or above the severity, and of unscanned ones when denied', async () => {
  const { app, seen, idle } = await scanApp({ blockPullsAbove: 'MEDIUM', unscanned: 'deny' });
  await push(app, 'team/app', vulnerable, 'v1');
  await push(app, 'team/app', clean, 'clean');
  // A layer that is not gzip: the scan fails, so the image counts as unscanned.
  const broken = await imageManifest(app, 'team/app', {}, 'broken');
  assert.equal((await putManifest(app, 'team/app', 'broken', broken.raw)).statusCode, 201);
  const idx = await indexFixture([vulnerable, clean]);
  assert.equal((await putManifest(app, 'team/app', 'multi', idx.raw, MediaTypes.ociIndex)).statusCode, 201);
  await idle();

  const vuln = await scanOf(app, 'team/app', vulnerable.digest);
  const blocked = await app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1' });
  assert.equal(blocked.statusCode, 403);
  assert.equal(codeOf(blocked), 'DENIED');
  const atOrAbove = (['CRITICAL', 'HIGH', 'MEDIUM'] as const).filter((l) => vuln.summary![l] > 0);
  assert.ok(atOrAbove.length > 0, JSON.stringify(vuln.summary));
  for (const l of atOrAbove) assert.match(JSON.parse(blocked.body).errors[0].message, new RegExp(`${vuln.summary![l]} ${l}`));
  assert.equal((await app.inject({ method: 'GET', url: `/v2/team/app/manifests/${vulnerable.digest}` })).statusCode, 403);
  assert.equal((await app.inject({ method: 'HEAD', url: '/v2/team/app/manifests/v1' })).statusCode, 200, 'HEAD is not a pull');
  assert.equal((await app.inject({ method: 'GET', url: `/v2/team/app/manifests/${vuln.reportDigest}` })).statusCode, 200, 'referrers stay readable');
  assert.equal((await app.inject({ method: 'GET', url: '/v2/team/app/manifests/clean' })).statusCode, 200);

  assert.equal((await scanOf(app, 'team/app', broken.digest)).status, 'failed');
  const unscanned = await app.inject({ method: 'GET', url: '/v2/team/app/manifests/broken' });
  assert.equal(unscanned.statusCode, 403);
  assert.equal(codeOf(unscanned), 'DENIED');

  const multi = await scanOf(app, 'team/app', idx.digest);
  assert.deepEqual(multi.children!.map((c) => [c.digest, c.status]), [[vulnerable.digest, 'done'], [clean.digest, 'done']]);
  assert.equal((await app.inject({ method: 'GET', url: '/v2/team/app/manifests/multi' })).statusCode, 403, 'an index is refused when a child is');
  const denials = seen.filter((e) => e.type === 'denied');
  assert.ok(denials.length >= 4 && denials.every((e) => e.action === 'pull'));
  await app.close();
});

test('scan on push: unscanned images are served with unscanned: allow; artifacts are never queued', async () => {
  const { app, seen, idle } = await scanApp({ blockPullsAbove: 'CRITICAL' });
  const broken = await imageManifest(app, 'lib', {}, 'b');
  assert.equal((await putManifest(app, 'lib', 'b', broken.raw)).statusCode, 201);
  const emptyConfig = await pushBlob(app, 'lib', '{}');
  const artifact = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaTypes.ociManifest, artifactType: 'application/vnd.example.thing',
    config: { mediaType: MediaTypes.ociEmpty, digest: emptyConfig, size: 2 }, layers: [],
  }));
  assert.equal((await putManifest(app, 'lib', 'thing', artifact)).statusCode, 201);
  await idle();
  assert.equal((await scanOf(app, 'lib', broken.digest)).status, 'failed');
  assert.deepEqual(seen.filter((e) => e.type === 'scan').map((e) => [e.digest, e.status]), [[broken.digest, 'failed']]);
  assert.equal((await app.inject({ method: 'GET', url: '/v2/lib/manifests/b' })).statusCode, 200);
  assert.deepEqual(await scanOf(app, 'lib', digestOf(artifact)), { repository: 'lib', digest: digestOf(artifact), status: 'skipped', reason: 'artifact application/vnd.example.thing' });
  const missing = await app.inject({ method: 'GET', url: `/api/v1/scans/lib/${digestOf('nothing')}` });
  assert.equal(missing.statusCode, 404);
  assert.equal(codeOf(missing), 'MANIFEST_UNKNOWN');
  for (const [url, code] of [['/api/v1/scans/Lib/' + digestOf('x'), 'NAME_INVALID'], ['/api/v1/scans/lib/sha256:zz', 'DIGEST_INVALID'], ['/api/v1/scans/lib', 'NAME_INVALID']]) {
    const bad = await app.inject({ method: 'GET', url: url! });
    assert.equal(bad.statusCode, 400, url);
    assert.equal(codeOf(bad), code, url);
  }
  await app.close();
});
