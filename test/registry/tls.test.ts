// TLS: HTTPS from certificate files made by openssl (test-only CA and leaf certificates),
// reloaded when the files change without dropping the listener or open connections; a bad
// new pair is logged and the old one kept; skopeo pushes and inspects over the reloaded TLS.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { isBosunError } from '../../src/errors.js';
import { parseRegistryConfig } from '../../src/registry/config.js';
import { openRegistry, serveRegistry, type OpenedRegistry } from '../../src/registry/serve.js';
import { CertificateWatcher, readTlsPair } from '../../src/registry/tls/index.js';
import { bosunBin } from '../helpers/bosun-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
let work = '';
let ca: Buffer;
let served: OpenedRegistry & { url: string };
let port = 0;
const logs: string[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A leaf certificate for 127.0.0.1 named `cn`, signed by the test CA; returns [cert, key] paths. */
function leaf(cn: string): [string, string] {
  const [crt, key, csr] = ['crt', 'key', 'csr'].map((ext) => join(work, `${cn}.${ext}`)) as [string, string, string];
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`);
  openssl('x509', '-req', '-in', csr, '-CA', join(work, 'ca.crt'), '-CAkey', join(work, 'ca.key'), '-CAcreateserial', '-days', '2', '-out', crt, '-extfile', join(work, 'leaf.ext'));
  return [crt, key];
}

/** Replaces `dest` atomically, as certificate managers do. */
async function install(src: string, dest: string): Promise<void> {
  await copyFile(src, `${dest}.tmp`);
  await rename(`${dest}.tmp`, dest);
}

function handshake(to = port): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: to, ca }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The common name of the certificate a fresh connection is served. */
async function servedName(to = port): Promise<string> {
  const socket = await handshake(to);
  const cn = socket.getPeerCertificate().subject.CN;
  socket.destroy();
  return Array.isArray(cn) ? cn.join(',') : (cn ?? '');
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Sends a GET /v2/ on an open TLS socket and returns the status line. */
function statusOn(socket: TLSSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1').split('\r\n')[0]!));
    socket.once('error', reject);
    socket.write('GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

before(async () => {
  work = await tempDir('tls');
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(work, 'ca.key'), '-out', join(work, 'ca.crt'), '-days', '2', '-subj', '/CN=bosun test CA');
  await writeFile(join(work, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  ca = await readFile(join(work, 'ca.crt'));
  const [crt, key] = leaf('first');
  await mkdir(join(work, 'live'));
  await install(crt, join(work, 'live', 'tls.crt'));
  await install(key, join(work, 'live', 'tls.key'));
  const config = parseRegistryConfig({ tls: { cert: join(work, 'live', 'tls.crt'), key: join(work, 'live', 'tls.key'), pollSeconds: 3600 } });
  // The poll is an hour: changes below are noticed through fs.watch.
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(line) });
  served = await serveRegistry({ addr: '127.0.0.1:0', dataDir: join(work, 'data'), config, logger });
  port = Number(new URL(served.url).port);
});
after(async () => served?.close());

test('serves HTTPS, swaps to a changed certificate for new connections and keeps open ones', async () => {
  assert.match(served.url, /^https:/);
  assert.equal(await servedName(), 'first');
  const open = await handshake();
  assert.equal(await statusOn(open), 'HTTP/1.1 200 OK');
  const [crt, key] = leaf('second');
  await install(key, join(work, 'live', 'tls.key'));
  await install(crt, join(work, 'live', 'tls.crt'));
  await until('the second certificate', async () => (await servedName()) === 'second');
  assert.equal(await statusOn(open), 'HTTP/1.1 200 OK', 'a connection made before the swap still works');
  assert.equal(new URL(served.url).port, String(port));
  open.destroy();
});

/** One HTTPS request to the registry, trusting only the test CA; the whole body. */
function overTls(method: string, path: string, opts: { body?: Buffer; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, method, path, ca, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

// Blobs over 64 KiB take the pooled-buffer path that writes the response by hand (blob-send.ts):
// it must work over TLS sockets as over plain ones.
test('a multi-MiB blob pushed and read back over TLS is byte-exact, whole and by range', async () => {
  const blob = randomBytes(3 * 1024 * 1024 + 12_345);
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  const pushed = await overTls('POST', `/v2/team/big/blobs/uploads/?digest=${digest}`, { body: blob, headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) } });
  assert.equal(pushed.status, 201, pushed.body.toString());
  const whole = await overTls('GET', `/v2/team/big/blobs/${digest}`);
  assert.equal(whole.status, 200);
  assert.ok(whole.body.equals(blob), 'the whole blob comes back byte-exact');
  const from = 1024 * 1024 - 7;
  const part = await overTls('GET', `/v2/team/big/blobs/${digest}`, { headers: { range: `bytes=${from}-${from + 2 * 1024 * 1024}` } });
  assert.equal(part.status, 206);
  assert.ok(part.body.equals(blob.subarray(from, from + 2 * 1024 * 1024 + 1)), 'a range across the 1 MiB read boundaries comes back byte-exact');
});

test('a new certificate whose key does not match is logged and the old pair stays in use', async () => {
  const [crt] = leaf('third');
  const before = logs.length;
  await install(crt, join(work, 'live', 'tls.crt'));
  await until('the rejection in the log', () => logs.slice(before).some((l) => l.includes('not reloaded')));
  assert.equal(await servedName(), 'second');
  await install(join(work, 'second.crt'), join(work, 'live', 'tls.crt'));
});

test('skopeo pushes and inspects over TLS, trusting only the test CA', async () => {
  const certDir = join(work, 'certs.d');
  await mkdir(certDir);
  await writeFile(join(certDir, 'ca.crt'), ca);
  const layout = join(work, 'layout');
  await run('umoci', ['init', '--layout', layout]);
  await run('umoci', ['new', '--image', `${layout}:v1`]);
  const dest = `docker://127.0.0.1:${port}/team/app:v1`;
  await run('skopeo', ['--insecure-policy', 'copy', '--dest-cert-dir', certDir, `oci:${layout}:v1`, dest]);
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  const { stdout } = await run('skopeo', ['inspect', '--cert-dir', certDir, dest]);
  assert.equal((JSON.parse(stdout) as { Digest: string }).Digest, index.manifests[0]!.digest);
  await assert.rejects(run('skopeo', ['inspect', dest]), 'without the CA, skopeo refuses the certificate');
});

test('starting with a key that does not match the certificate is REGISTRY_TLS_INVALID', async () => {
  const config = parseRegistryConfig({ tls: { cert: join(work, 'third.crt'), key: join(work, 'first.key') } });
  await assert.rejects(openRegistry({ dataDir: join(work, 'data2'), config }), (e) => isBosunError(e, 'REGISTRY_TLS_INVALID'));
});

test('CertificateWatcher.check: unchanged, reloaded, rejected once per bad pair', async () => {
  const dir = join(work, 'watch');
  await mkdir(dir);
  const [cert, key] = [join(dir, 'c.pem'), join(dir, 'k.pem')];
  await install(join(work, 'first.crt'), cert);
  await install(join(work, 'first.key'), key);
  const applied: string[] = [];
  const rejected: string[] = [];
  const watcher = new CertificateWatcher({
    certFile: cert,
    keyFile: key,
    current: await readTlsPair(cert, key),
    pollMs: 60_000,
    apply: (pair) => applied.push(pair.cert.toString().slice(-40)),
    onRejected: (err) => rejected.push((err as { code?: string }).code ?? ''),
  });
  assert.equal(await watcher.check(), 'unchanged');
  await install(join(work, 'third.crt'), cert);
  assert.equal(await watcher.check(), 'rejected');
  assert.equal(await watcher.check(), 'rejected');
  assert.deepEqual(rejected, ['REGISTRY_TLS_INVALID'], 'the same bad pair is reported once');
  await install(join(work, 'third.key'), key);
  assert.equal(await watcher.check(), 'reloaded');
  assert.equal(applied.length, 1);
});

test('the poll notices a change fs.watch cannot see (a symlink target in another directory)', async () => {
  const [links, targets] = [join(work, 'links'), join(work, 'targets')];
  await mkdir(links);
  await mkdir(targets);
  await install(join(work, 'first.crt'), join(targets, 'c.pem'));
  await install(join(work, 'first.key'), join(targets, 'k.pem'));
  await symlink(join(targets, 'c.pem'), join(links, 'c.pem'));
  await symlink(join(targets, 'k.pem'), join(links, 'k.pem'));
  let applied = 0;
  const watcher = new CertificateWatcher({
    certFile: join(links, 'c.pem'),
    keyFile: join(links, 'k.pem'),
    current: await readTlsPair(join(links, 'c.pem'), join(links, 'k.pem')),
    pollMs: 200,
    apply: () => applied++,
  });
  watcher.start();
  try {
    await install(join(work, 'second.key'), join(targets, 'k.pem'));
    await install(join(work, 'second.crt'), join(targets, 'c.pem'));
    await until('the poll to apply the new pair', () => applied === 1, 5000);
  } finally {
    watcher.stop();
  }
});

test('bosun registry serve --tls-cert/--tls-key serves HTTPS; one without the other exits 2', async () => {
  const args = ['registry', 'serve', '--addr', '127.0.0.1:0', '--data', join(work, 'cli-data'), '--log-level', 'error'];
  const child = spawn(process.execPath, [bosunBin, ...args, '--tls-cert', join(work, 'first.crt'), '--tls-key', join(work, 'first.key')], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await until('the CLI registry to listen', () => /listening on https:\/\//.test(stderr), 30_000);
    assert.equal(await servedName(Number(/listening on https:\/\/[^:]+:(\d+)/.exec(stderr)![1])), 'first');
  } finally {
    child.kill('SIGTERM');
  }
  const half = spawnSync(process.execPath, [bosunBin, ...args, '--tls-cert', join(work, 'first.crt')], { encoding: 'utf8' });
  assert.equal(half.status, 2);
  assert.match(half.stderr, /INPUT_INVALID/);
});
