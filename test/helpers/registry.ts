// A real registry for tests: Debian's `docker-registry` (distribution 2.8) on a free loopback port.
//
//   const reg = await startRegistry({ mode: 'http' });               // plain HTTP, anonymous push/pull
//   const reg = await startRegistry({ mode: 'tls-htpasswd' });       // HTTPS (self-signed) + Basic auth
//   ... reg.host ('127.0.0.1:PORT'), reg.username / reg.password, reg.caFile ...
//   await reg.stop();                                                 // kills it, removes its temp dir
//
// Start one per mode per test file (about a second each) and share it across the file's tests.
// Needs apt packages docker-registry, openssl and apache2-utils (htpasswd).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type RegistryMode = 'http' | 'tls-htpasswd';

export interface StartOptions {
  mode: RegistryMode;
  /** For tls-htpasswd; defaults 'bosun' / a random password. */
  username?: string;
  password?: string;
}

export interface TestRegistry {
  mode: RegistryMode;
  /** `127.0.0.1:PORT`, as it appears in image references. */
  host: string;
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`. */
  url: string;
  /** The htpasswd user (tls-htpasswd only). */
  username?: string;
  password?: string;
  /** The self-signed certificate (PEM) the registry serves; trust it with `caFile` (tls-htpasswd only). */
  caFile?: string;
  /** The temp directory holding config, storage and certificates; removed by `stop()`. */
  dir: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; a tiny race remains until the registry binds). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Writes a self-signed EC certificate for 127.0.0.1 / localhost into `dir`; returns the paths. */
export function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { cert, key };
}

function configYaml(dir: string, port: number, tls?: { cert: string; key: string }): string {
  const lines = [
    'version: 0.1',
    'log:', '  level: error', '  accesslog:', '    disabled: true',
    'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, '  delete:', '    enabled: true',
    'http:', `  addr: 127.0.0.1:${port}`,
  ];
  if (tls) {
    lines.push('  tls:', `    certificate: ${tls.cert}`, `    key: ${tls.key}`);
    lines.push('auth:', '  htpasswd:', '    realm: bosun-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  return `${lines.join('\n')}\n`;
}

function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https') ? httpsRequest : httpRequest)(`${url}/v2/`, { rejectUnauthorized: false, timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited early: ${stderr()}`);
    const status = await probe(url);
    if (status === 200 || status === 401) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url}: ${stderr()}`);
}

/** Starts `docker-registry serve` on a free loopback port and waits until `/v2/` answers. */
export async function startRegistry(opts: StartOptions): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-registry-'));
  const port = await freePort();
  const isTls = opts.mode === 'tls-htpasswd';
  const username = opts.username ?? 'bosun';
  const password = opts.password ?? `pw-${Math.random().toString(36).slice(2)}`;
  const tls = isTls ? makeCertificate(dir) : undefined;
  if (isTls) {
    writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', username, password]));
  }
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, configYaml(dir, port, tls));
  const child = spawn('/usr/bin/docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const url = `${isTls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => err);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    mode: opts.mode, host: `127.0.0.1:${port}`, url, dir, stop,
    ...(isTls ? { username, password, caFile: tls!.cert } : {}),
  };
}
