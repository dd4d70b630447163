/**
 * Downloads one advisory archive to a local file: conditional request (If-None-Match /
 * If-Modified-Since), a byte cap, Content-Length checked against the bytes received, sha256
 * computed on the way, and the optional `<url>.sha256` file checked when the mirror has one.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { BosunError, redactUrl } from '../../errors.js';

export interface DownloadOptions {
  /** Validators from the previous download; a 304 answer keeps the previous data. */
  etag?: string;
  lastModified?: string;
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** A pass-through that counts bytes for a progress bar (`size` 0 when unknown). */
  track?: (size: number) => Transform;
}

export type DownloadResult =
  | { kind: 'not-modified' }
  | { kind: 'downloaded'; bytes: number; sha256: string; etag?: string; lastModified?: string; publishedSha256?: string };

/**
 * Fetches `url` into `dest`. Throws `VULN_DB_DOWNLOAD_FAILED` (network error, HTTP status),
 * `VULN_DB_INTEGRITY` (fewer or more bytes than Content-Length, sha256 mismatch with the
 * published one, a malformed `.sha256` file), `LIMIT_EXCEEDED` past `maxBytes`, `ABORTED`.
 */
export async function download(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  const res = await fetchOrThrow(url, headers, signal, opts.signal);
  if (res.status === 304 && (opts.etag || opts.lastModified)) {
    await res.body?.cancel();
    return { kind: 'not-modified' };
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw new BosunError('VULN_DB_DOWNLOAD_FAILED', `GET ${redactUrl(url)}: HTTP ${res.status}`);
  }
  const declared = res.headers.get('content-length');
  const expected = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (expected !== undefined && expected > opts.maxBytes) {
    await res.body.cancel();
    throw new BosunError('LIMIT_EXCEEDED', `${redactUrl(url)} is ${expected} bytes, over the cap of ${opts.maxBytes}`);
  }
  const { bytes, sha256 } = await save(res.body, dest, { url, expected, maxBytes: opts.maxBytes, ...(opts.track ? { track: opts.track } : {}) }, opts.signal);
  const publishedSha256 = await publishedDigest(`${url}.sha256`, signal, opts.signal);
  if (publishedSha256 !== undefined && publishedSha256 !== sha256) {
    throw new BosunError('VULN_DB_INTEGRITY', `${redactUrl(url)} has sha256 ${sha256}, the mirror publishes ${publishedSha256}`);
  }
  const etag = res.headers.get('etag') ?? undefined;
  const lastModified = res.headers.get('last-modified') ?? undefined;
  return { kind: 'downloaded', bytes, sha256, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}), ...(publishedSha256 ? { publishedSha256 } : {}) };
}

async function fetchOrThrow(url: string, headers: Record<string, string>, signal: AbortSignal, user?: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { headers, signal, redirect: 'follow' });
  } catch (err) {
    if (user?.aborted) throw new BosunError('ABORTED', `download of ${redactUrl(url)} cancelled`, { cause: err });
    throw new BosunError('VULN_DB_DOWNLOAD_FAILED', `GET ${redactUrl(url)} failed: ${(err as Error).message}`, { cause: err });
  }
}

interface SaveOptions {
  url: string;
  expected: number | undefined;
  maxBytes: number;
  track?: (size: number) => Transform;
}

async function save(body: ReadableStream<Uint8Array>, dest: string, o: SaveOptions, user?: AbortSignal): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > o.maxBytes) return cb(new BosunError('LIMIT_EXCEEDED', `${redactUrl(o.url)} is over the cap of ${o.maxBytes} bytes`));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const source = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  const sink = createWriteStream(dest, { flags: 'wx' });
  try {
    if (o.track) await pipeline(source, meter, o.track(o.expected ?? 0), sink);
    else await pipeline(source, meter, sink);
  } catch (err) {
    if (err instanceof BosunError) throw err;
    if (user?.aborted) throw new BosunError('ABORTED', `download of ${redactUrl(o.url)} cancelled`, { cause: err });
    if (o.expected !== undefined && bytes < o.expected) throw truncated(o.url, bytes, o.expected, err);
    throw new BosunError('VULN_DB_DOWNLOAD_FAILED', `reading ${redactUrl(o.url)} failed after ${bytes} bytes`, { cause: err });
  }
  if (o.expected !== undefined && bytes !== o.expected) throw truncated(o.url, bytes, o.expected);
  return { bytes, sha256: hash.digest('hex') };
}

function truncated(url: string, got: number, want: number, cause?: unknown): BosunError {
  return new BosunError('VULN_DB_INTEGRITY', `${redactUrl(url)}: received ${got} bytes, Content-Length says ${want}`, { cause });
}

/**
 * The sha256 the mirror publishes beside an archive, or undefined when it publishes none (404).
 * Format: 64 hex digits, optionally followed by whitespace and a file name (`sha256sum` output).
 */
async function publishedDigest(url: string, signal: AbortSignal, user?: AbortSignal): Promise<string | undefined> {
  const res = await fetchOrThrow(url, { 'accept-encoding': 'identity' }, signal, user);
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new BosunError('VULN_DB_DOWNLOAD_FAILED', `GET ${redactUrl(url)}: HTTP ${res.status}`);
  }
  const text = await headText(res, 4096);
  const m = /^([0-9a-fA-F]{64})(?:\s|$)/.exec(text);
  if (!m) throw new BosunError('VULN_DB_INTEGRITY', `${redactUrl(url)} is not a sha256 checksum file`);
  return m[1]!.toLowerCase();
}

/** Up to `max` bytes of a body as text; the rest is never read. */
async function headText(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  while (n < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.length;
  }
  await reader.cancel();
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
