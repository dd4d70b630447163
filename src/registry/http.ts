import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { BosunError } from '../errors.js';
import { parseName } from './names.js';

// The repository name of a request, as written in its URL; set by `rewriteRegistryUrl`.
const names = new WeakMap<IncomingMessage, string>();

// spec: distribution-spec endpoints end-2 … end-13: /v2/<name>/<kind>/… where <name> may
// contain '/'. The greedy name takes the last match, so names like a/blobs/b still work.
const repoPath = /^\/v2\/(.+)\/(manifests\/[^/]*|blobs\/uploads(?:\/[^/]*)?|blobs\/[^/]*|tags\/list|referrers\/[^/]*)$/;

/**
 * Fastify `rewriteUrl`: moves the (multi-segment) repository name out of the path so that
 * plain routes `/v2/_/<kind>/…` match; `_` cannot start a valid name, so nothing collides.
 */
export function rewriteRegistryUrl(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const m = repoPath.exec(path);
  if (!m) return url;
  names.set(req, m[1]!);
  const rest = m[2] === 'blobs/uploads' ? 'blobs/uploads/' : m[2]!;
  return `/v2/_/${rest}${q < 0 ? '' : url.slice(q)}`;
}

/**
 * The spec code for a path the router itself rejects (bad percent-encoding, an overlong
 * segment), chosen by which parameter the segment was: the answer is still a 400 body.
 */
export function badPathCode(url: string): string {
  if (url.startsWith('/v2/_/manifests/')) return 'TAG_INVALID';
  if (url.startsWith('/v2/_/blobs/uploads/')) return 'BLOB_UPLOAD_INVALID';
  if (url.startsWith('/v2/_/blobs/') || url.startsWith('/v2/_/referrers/')) return 'DIGEST_INVALID';
  return 'UNSUPPORTED';
}

/** The validated repository name of a request; throws REGISTRY_SERVE_NAME_INVALID. */
export function repoOf(request: FastifyRequest): string {
  return parseName(names.get(request.raw) ?? '');
}

/** The request body as a stream (the catch-all content parser leaves it unread). */
export function bodyOf(request: FastifyRequest): Readable {
  return (request.body as Readable | undefined) ?? request.raw;
}

/** True when the request carries a body (a positive Content-Length, or chunked). */
export function hasBody(request: FastifyRequest): boolean {
  const len = request.headers['content-length'];
  if (len !== undefined) return Number(len) > 0;
  return request.headers['transfer-encoding'] !== undefined;
}

/** The declared Content-Length, or undefined; throws SIZE_INVALID when malformed. */
export function contentLength(request: FastifyRequest): number | undefined {
  const len = request.headers['content-length'];
  if (len === undefined) return undefined;
  if (!/^\d{1,15}$/.test(len)) throw new BosunError('REGISTRY_SERVE_SIZE_INVALID', `invalid Content-Length "${len.slice(0, 40)}"`);
  return Number(len);
}

/** A query parameter as a single string (the last one when repeated), or undefined. */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const v = (request.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** `0-<last byte>` as upload answers write it; `0-0` for an empty session, like distribution. */
export function uploadRange(size: number): string {
  return `0-${size > 0 ? size - 1 : 0}`;
}

/**
 * Reads a request body of at most `max` bytes into memory. Past the limit it throws
 * LIMIT_EXCEEDED without destroying the request, so the error answer still reaches the
 * client (Node discards the rest of the body).
 */
export function readBody(request: FastifyRequest, max: number, what: string): Promise<Buffer> {
  const body = bodyOf(request);
  const chunks: Buffer[] = [];
  let total = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= max) {
        chunks.push(chunk);
        return;
      }
      // Not destroy(): that would close the socket before the 413 goes out.
      body.off('data', onData);
      body.pause();
      reject(new BosunError('LIMIT_EXCEEDED', `${what}: larger than the ${max}-byte limit`));
    };
    body.on('data', onData);
    body.once('error', reject);
    body.once('end', () => resolve(Buffer.concat(chunks, total)));
  });
}
