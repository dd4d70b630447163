// Tiny loopback HTTP(S) servers for tests that need a registry to misbehave in ways a real one
// (distribution) cannot be made to: wrong bytes, throttling, redirects, dropped connections.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Digest } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import type { ImageFixture } from './oci-image.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  /** `127.0.0.1:PORT` */
  host: string;
  /** Every request seen, in order: method, url and headers. */
  seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

/** Starts a server on a free loopback port; with `tls` ({ key, cert } PEM), HTTPS. */
export async function serve(handler: Handler, tls?: { key: Buffer; cert: Buffer }): Promise<TestServer> {
  const seen: TestServer['seen'] = [];
  const wrapped: Handler = (req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  };
  const server: Server = tls ? createHttpsServer(tls, wrapped) : createServer(wrapped);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    seen,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/**
 * A well-behaved registry serving one image as `<repo>:v1` (and by digest). `override` sees
 * each request first and returns true when it answered it itself.
 */
export function imageHandler(img: ImageFixture, override?: (req: IncomingMessage, res: ServerResponse) => boolean): Handler {
  return (req, res) => {
    if (override?.(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/v2/') {
      res.end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (m && m[2] === 'manifests' && (m[3] === 'v1' || m[3] === img.digest)) {
      res.writeHead(200, { 'content-type': MediaTypes.ociManifest, 'docker-content-digest': img.digest, 'content-length': img.raw.length });
      res.end(req.method === 'HEAD' ? undefined : img.raw);
      return;
    }
    const blob = m && m[2] === 'blobs' ? img.blobs.get(m[3] as Digest) : undefined;
    if (blob) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length });
      res.end(req.method === 'HEAD' ? undefined : blob);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: m?.[2] === 'blobs' ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
  };
}
