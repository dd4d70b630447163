import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { BosunError, isBosunError } from '../errors.js';
import type { AdmissionHandler } from './handler.js';
import { parseReview, reviewResponse } from './review.js';

export interface AdmissionServerOptions {
  readonly handlers: { readonly validate: AdmissionHandler; readonly mutate: AdmissionHandler };
  /** PEM files; re-read whenever either changes (cert-manager / kubelet secret rotation). */
  readonly certFile: string;
  readonly keyFile: string;
  /** `host:port`; default `0.0.0.0:9443`. Port 0 picks a free one. */
  readonly addr?: string;
  readonly logger?: Logger;
}

export interface AdmissionServer {
  readonly port: number;
  readonly url: string;
  /** Resolves after the next successful certificate reload (for tests and readiness). */
  reloaded(): Promise<void>;
  close(): Promise<void>;
}

// The API server caps request bodies at 3 MiB; an AdmissionReview carries the object twice.
const maxBodyBytes = 7 * 1024 * 1024;

/** Starts the HTTPS webhook server: POST /validate, POST /mutate, GET /healthz. */
export async function startAdmissionServer(opts: AdmissionServerOptions): Promise<AdmissionServer> {
  const tls = await readPair(opts.certFile, opts.keyFile);
  const server = createServer({ ...tls, minVersion: 'TLSv1.2' }, (req, res) => void route(req, res, opts));
  server.keepAliveTimeout = 60_000;
  const { host, port } = splitAddr(opts.addr ?? '0.0.0.0:9443');
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, host, () => ok()));
  const bound = (server.address() as { port: number }).port;
  const reloads = certWatcher(server, opts);
  return {
    port: bound,
    url: `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`,
    reloaded: reloads.next,
    close: async () => {
      reloads.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

async function readPair(certFile: string, keyFile: string): Promise<{ cert: Buffer; key: Buffer }> {
  try {
    return { cert: await readFile(certFile), key: await readFile(keyFile) };
  } catch (err) {
    throw new BosunError('ADMISSION_CONFIG_INVALID', `cannot read certificate ${certFile} or key ${keyFile}`, { cause: err });
  }
}

// Watches the directories (a Kubernetes secret update swaps a symlink, and editors rename) and
// re-reads both files; a half-written pair fails to load and the old context stays in use.
function certWatcher(server: Server, opts: AdmissionServerOptions): { next: () => Promise<void>; close: () => void } {
  let waiters: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;
  const reload = async (): Promise<void> => {
    try {
      server.setSecureContext({ ...(await readPair(opts.certFile, opts.keyFile)), minVersion: 'TLSv1.2' });
      opts.logger?.info('TLS certificate reloaded');
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    } catch (err) {
      opts.logger?.error({ err }, 'TLS certificate reload failed; keeping the previous one');
    }
  };
  const dirs = new Set([dirname(resolve(opts.certFile)), dirname(resolve(opts.keyFile))]);
  const watchers: FSWatcher[] = [...dirs].map((d) => watch(d, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), 100);
  }));
  return {
    next: () => new Promise<void>((ok) => waiters.push(ok)),
    close: () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

function splitAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const port = Number(addr.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new BosunError('INPUT_INVALID', `--addr '${addr}' is not host:port`);
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

async function route(req: IncomingMessage, res: ServerResponse, opts: AdmissionServerOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) return send(res, 200, { ok: true });
  const endpoint = path === '/validate' ? 'validate' : path === '/mutate' ? 'mutate' : undefined;
  if (!endpoint || req.method !== 'POST') return send(res, 404, { error: 'POST /validate or /mutate' });
  const ctl = new AbortController();
  res.once('close', () => { if (!res.writableFinished) ctl.abort(new BosunError('ADMISSION_TIMEOUT', 'client went away')); });
  try {
    const request = parseReview(JSON.parse((await readBody(req)).toString('utf8')));
    const { details: _details, ...response } = await opts.handlers[endpoint](request, ctl.signal);
    send(res, 200, reviewResponse(response));
  } catch (err) {
    const code = isBosunError(err) ? err.code : err instanceof SyntaxError ? 'ADMISSION_REVIEW_INVALID' : 'INTERNAL';
    if (code === 'INTERNAL') opts.logger?.error({ err }, 'admission request failed');
    send(res, isBosunError(err) ? err.status ?? 500 : code === 'INTERNAL' ? 500 : 400, { error: code, message: err instanceof Error ? err.message : String(err) });
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > maxBodyBytes) throw new BosunError('LIMIT_EXCEEDED', `request body over ${maxBodyBytes} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const raw = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw) });
  res.end(raw);
}
