// Crash consistency: a registry child process (the real CLI) is killed with SIGKILL in the
// middle of uploads and manifest pushes; on restart nothing partial is visible, acknowledged
// writes are all there, and stale upload sessions are gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { digestOf } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Child {
  proc: ChildProcess;
  base: string;
}

async function startRegistry(data: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'registry', 'serve', '--addr', '127.0.0.1:0', '--data', data, '--stale-uploads', '0', '--log-level', 'error'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const base = await new Promise<string>((resolve, reject) => {
    let err = '';
    proc.stderr!.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      const m = /listening on (http:\/\/[^\s]+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`registry exited ${code}: ${err}`)));
  });
  return { proc, base };
}

async function kill(child: Child): Promise<void> {
  const exited = new Promise((r) => child.proc.once('exit', r));
  child.proc.kill('SIGKILL');
  await exited;
}

/** Starts a request and writes `first` of its body, never finishing it. */
function halfRequest(base: string, method: string, path: string, first: Buffer, headers: Record<string, string>): Promise<void> {
  const u = new URL(path, base);
  const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers });
  req.on('error', () => undefined);
  req.write(first);
  return new Promise((resolve) => setTimeout(resolve, 300));
}

async function pushBlob(base: string, repo: string, bytes: Buffer): Promise<string> {
  const digest = digestOf(bytes);
  const res = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: new Uint8Array(bytes) });
  assert.equal(res.status, 201);
  return digest;
}

test('SIGKILL mid-upload: no partial blob, sessions cleaned on restart', async () => {
  const data = await tempDir('crash');
  let child = await startRegistry(data);
  const big = Buffer.alloc(4 << 20, 7);
  const digest = digestOf(big);
  const post = await fetch(`${child.base}/v2/r/blobs/uploads/`, { method: 'POST' });
  const loc = post.headers.get('location')!;
  const patch = await fetch(new URL(loc, child.base), { method: 'PATCH', body: new Uint8Array(big.subarray(0, 1 << 20)), headers: { 'content-range': `0-${(1 << 20) - 1}` } });
  assert.equal(patch.status, 202);
  await halfRequest(child.base, 'PUT', `${loc}?digest=${digest}`, big.subarray(1 << 20, 2 << 20), { 'content-length': String(3 << 20) });
  await halfRequest(child.base, 'POST', `/v2/r/blobs/uploads/?digest=${digest}`, big.subarray(0, 2 << 20), { 'content-length': String(big.length) });
  await kill(child);

  child = await startRegistry(data);
  try {
    assert.equal((await fetch(`${child.base}/v2/r/blobs/${digest}`, { method: 'HEAD' })).status, 404);
    assert.equal((await fetch(new URL(loc, child.base))).status, 404);
    assert.deepEqual(await readdir(join(data, 'uploads')), []);
    assert.deepEqual(await readdir(join(data, 'store', '_tmp')), []);
  } finally {
    await kill(child);
  }
});

test('SIGKILL during manifest pushes: acknowledged tags survive, nothing half-written is visible', async () => {
  const data = await tempDir('crash');
  let child = await startRegistry(data);
  const configBytes = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const config = await pushBlob(child.base, 'r', configBytes);
  const manifests = Array.from({ length: 40 }, (_, i) =>
    Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: config, size: configBytes.length },
      layers: [],
      annotations: { n: String(i) },
    })),
  );
  await halfRequest(child.base, 'PUT', '/v2/r/manifests/half', manifests[0]!.subarray(0, 50), { 'content-type': MediaTypes.ociManifest, 'content-length': String(manifests[0]!.length) });
  const acknowledged = new Set<number>();
  // Pushes cut off by the kill reject; that is expected, only answered ones count.
  const pushes = manifests.map((raw, i) =>
    fetch(`${child.base}/v2/r/manifests/t${i}`, { method: 'PUT', body: new Uint8Array(raw), headers: { 'content-type': MediaTypes.ociManifest } }).then(
      (res) => void (res.status === 201 && acknowledged.add(i)),
      () => undefined,
    ),
  );
  // Kill while pushes are in flight (some answered, some not, depending on machine speed).
  await new Promise((r) => setTimeout(r, 30));
  const ackedBeforeKill = new Set(acknowledged);
  await kill(child);
  await Promise.all(pushes);

  child = await startRegistry(data);
  try {
    assert.equal((await fetch(`${child.base}/v2/r/manifests/half`)).status, 404);
    for (let i = 0; i < manifests.length; i++) {
      const res = await fetch(`${child.base}/v2/r/manifests/t${i}`);
      if (ackedBeforeKill.has(i)) assert.equal(res.status, 200, `acknowledged tag t${i} lost`);
      if (res.status === 200) assert.deepEqual(Buffer.from(await res.arrayBuffer()), manifests[i]);
      else assert.equal(res.status, 404);
    }
  } finally {
    await kill(child);
  }
});
