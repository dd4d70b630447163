// The sample image built from real packages. Uses the build cache (.cache/sample-image, or
// BOSUN_SAMPLE_DIR): the first run fetches the debs with `apt-get download` and the npm
// packages with `npm install` (CI reaches Debian's archive and the npm registry); later runs
// work offline from the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import * as archive from '../../src/oci/archive.js';
import { buildSampleImage } from '../../scripts/lib/sample-image.js';
import { hasDebianTools, samplePackages } from '../../scripts/lib/sample-debian.js';

/** The files of a layer tar whose names pass `want`, with their content. */
async function layerFiles(stream: Readable, want: (name: string) => boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const extract = tar.extract();
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) if (want(entry.header.name)) chunks.push(c as Buffer);
    if (want(entry.header.name)) out.set(entry.header.name, Buffer.concat(chunks).toString('utf8'));
  }
  return out;
}

function npmLsFlat(dir: string): Set<string> {
  type Node = { version?: string; dependencies?: Record<string, Node> };
  const tree = JSON.parse(execFileSync('npm', ['ls', '--all', '--json'], { cwd: dir, encoding: 'utf8' })) as Node;
  const out = new Set<string>();
  const walk = (deps: Record<string, Node> | undefined) => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      if (node.version) out.add(`${name}@${node.version}`);
      walk(node.dependencies);
    }
  };
  walk(tree.dependencies);
  return out;
}

const sample = buildSampleImage({ dir: process.env.BOSUN_SAMPLE_DIR });

test('sample image: dpkg status lists exactly the fetched debs, .list files match dpkg-deb', { timeout: 300_000 }, async () => {
  const { image, debs } = await sample;
  const layers = await image.layers();
  if (!hasDebianTools()) {
    assert.equal(layers.length, 2);
    return;
  }
  assert.equal(layers.length, 3);
  const files = await layerFiles(await layers[0]!.uncompressed(), (n) => n.startsWith('var/lib/dpkg/') || n === 'etc/issue.net');
  const status = files.get('var/lib/dpkg/status')!;
  const inStatus = status.split('\n\n').map((p) => `${/^Package: (.*)$/m.exec(p)![1]}=${/^Version: (.*)$/m.exec(p)![1]}`).sort();
  const fromDebs = debs.map((d) => execFileSync('dpkg-deb', ['-W', '--showformat=${Package}=${Version}', d.file], { encoding: 'utf8' })).sort();
  assert.deepEqual(inStatus, fromDebs);
  assert.deepEqual(debs.map((d) => d.package).sort(), [...samplePackages].sort());
  assert.ok(status.split('\n\n').every((p) => /^Package: .*\nStatus: install ok installed\n/.test(p)));
  const ssl = debs.find((d) => d.package === 'libssl3')!;
  const listed = files.get(`var/lib/dpkg/info/libssl3:${ssl.architecture}.list`)!.trim().split('\n');
  const tarNames = execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -t', 'sh', ssl.file], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(listed, tarNames.map((n) => (n === './' ? '/.' : n.replace(/^\./, '').replace(/\/$/, ''))));
  assert.ok(files.has('etc/issue.net'), 'layer 1 has the file layer 3 deletes');
});

test('sample image: node_modules holds what `npm ls --all --json` reports', { timeout: 300_000 }, async () => {
  const { image, npmDir } = await sample;
  const layers = await image.layers();
  const npmLayer = layers[layers.length - 2]!;
  const pkgJson = /^app\/node_modules\/(?:.*\/node_modules\/)?(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;
  const files = await layerFiles(await npmLayer.uncompressed(), (n) => pkgJson.test(n) || n === 'app/package-lock.json');
  const inImage = new Set([...files].filter(([n]) => n !== 'app/package-lock.json').map(([, c]) => {
    const p = JSON.parse(c) as { name: string; version: string };
    return `${p.name}@${p.version}`;
  }));
  assert.deepEqual([...inImage].sort(), [...npmLsFlat(npmDir)].sort());
  assert.ok(inImage.has('lodash@4.17.20'));
  assert.ok(files.has('app/package-lock.json'));
});

test('sample image: app layer replaces /etc/issue and whiteouts /etc/issue.net; archive matches layout', { timeout: 300_000 }, async () => {
  const { image, archivePath } = await sample;
  const layers = await image.layers();
  const app = await layerFiles(await layers[layers.length - 1]!.uncompressed(), () => true);
  assert.equal(app.get('etc/issue'), 'bosun sample image\n');
  assert.ok(app.has('etc/.wh.issue.net'));
  const fromArchive = await archive.image(archivePath, { ref: 'bosun/sample:1.0' });
  assert.deepEqual((await fromArchive.config()).rootfs.diff_ids, (await image.config()).rootfs.diff_ids);
  await fromArchive.close();
});
