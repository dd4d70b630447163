import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { request } from 'undici';
import { BosunError, redactUrl } from '../../errors.js';
import { agentFor } from './agents.js';
import { discard } from './errors.js';
import type { RetryOptions } from './options.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: URL;
  headers?: Record<string, string>;
  /** Bytes, or a factory so a retried or redirected request can reopen a stream. */
  body?: Uint8Array | (() => Promise<Readable>);
  /** Names the request in messages, e.g. `GET manifest localhost:5000/app:1`. */
  what: string;
  /** Cancels this request (in addition to the transport's own signal). */
  signal?: AbortSignal;
}

/** A final answer: any status that is neither a redirect nor retryable, or the last attempt's. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The caller consumes or destroys it. */
  body: Readable;
  /** Where the answer came from, after redirects. */
  url: URL;
  attempts: number;
}

export interface TransportOptions {
  /** `host[:port]` of the registry; `insecure` and TLS overrides apply to it alone. */
  registryHost: string;
  insecure: boolean;
  caFile?: string;
  retry?: RetryOptions;
  signal?: AbortSignal;
  userAgent: string;
  logger?: Logger;
}

export const maxRedirects = 5;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const retryableStatuses = new Set([429, 500, 502, 503, 504]);
const retryableNetworkCodes = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
]);
const tlsTrustCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED',
]);

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'REGISTRY_UNAVAILABLE') return code;
  }
  return undefined;
}

/** True when an HTTPS attempt reached a server that speaks plain HTTP (the insecure fallback cue). */
export function isTlsProtocolError(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG';
}

/** A URL fit for messages: no userinfo, no query (presigned storage URLs carry signatures there). */
export function describeUrl(u: URL): string {
  return redactUrl(`${u.origin}${u.pathname}`);
}

/**
 * True when `url` addresses `host[:port]` as users write it; an explicit default port
 * (`example.com:443`) matches the URL that omits it.
 */
export function isSameHost(url: URL, host: string): boolean {
  const reg = new URL(`x://${host}`);
  if (reg.hostname !== url.hostname) return false;
  if (reg.port === '') return url.port === '';
  return (url.port || (url.protocol === 'https:' ? '443' : '80')) === reg.port;
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * HTTP for one registry over undici: keep-alive pools, per-host TLS, bounded retries with
 * exponential back-off and jitter (429 honouring `Retry-After`, 5xx, dropped connections), and
 * redirects followed by hand (at most 5 hops, http(s) only, never https→http unless insecure,
 * `Authorization` dropped when the origin changes).
 * Throws REGISTRY_UNAVAILABLE (unreachable, TLS), REGISTRY_PROTOCOL (bad redirect), ABORTED.
 */
export class Transport {
  private readonly retry: Required<RetryOptions>;

  constructor(private readonly opts: TransportOptions) {
    this.retry = {
      attempts: Math.max(1, opts.retry?.attempts ?? 4),
      baseDelayMs: opts.retry?.baseDelayMs ?? 250,
      maxDelayMs: opts.retry?.maxDelayMs ?? 8000,
      maxRetryAfterMs: opts.retry?.maxRetryAfterMs ?? 30_000,
    };
  }

  get insecure(): boolean {
    return this.opts.insecure;
  }

  /** Sends a request, retrying and following redirects; returns the final answer whatever its status. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.follow(req, attempt);
      } catch (err) {
        const failure = this.classify(err, req, attempt);
        if (failure) throw failure;
        await this.pause(this.backoff(attempt), req, `connection failed (${errorCode(err) ?? 'error'})`);
        continue;
      }
      if (!retryableStatuses.has(res.status) || attempt >= this.retry.attempts) return res;
      discard(res.body);
      const hinted = parseRetryAfter(res.headers['retry-after']);
      const wait = hinted === undefined ? this.backoff(attempt) : Math.min(hinted, this.retry.maxRetryAfterMs);
      await this.pause(wait, req, `status ${res.status}`);
    }
  }

  // Undefined means "retry"; otherwise the error to throw.
  private classify(err: unknown, req: HttpRequest, attempt: number): BosunError | undefined {
    if (err instanceof BosunError) return err;
    if (this.signalFor(req)?.aborted) return new BosunError('ABORTED', `${req.what}: cancelled`, { cause: err });
    const code = errorCode(err);
    const host = req.url.host;
    if (code && tlsTrustCodes.has(code)) {
      return new BosunError('REGISTRY_UNAVAILABLE', `${req.what}: TLS certificate of ${host} is not trusted (${code}); pass --ca-file <pem> to trust its CA, or --insecure to skip verification`, { cause: err });
    }
    if (isTlsProtocolError(err)) {
      return new BosunError('REGISTRY_UNAVAILABLE', `${req.what}: ${host} does not speak TLS (${code}); if it is a plain-HTTP registry, pass --insecure`, { cause: err });
    }
    if (code && retryableNetworkCodes.has(code) && attempt < this.retry.attempts) return undefined;
    const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
    return new BosunError('REGISTRY_UNAVAILABLE', `${req.what}: cannot reach ${host} (${code ?? (err as Error).message})${tries}`, { cause: err });
  }

  private signalFor(req: HttpRequest): AbortSignal | undefined {
    const { signal } = this.opts;
    if (!req.signal) return signal;
    return signal ? AbortSignal.any([signal, req.signal]) : req.signal;
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private async pause(ms: number, req: HttpRequest, why: string): Promise<void> {
    this.opts.logger?.debug({ url: describeUrl(req.url), waitMs: Math.round(ms) }, `retrying ${req.method}: ${why}`);
    try {
      await sleep(ms, undefined, { signal: this.signalFor(req) });
    } catch (err) {
      throw new BosunError('ABORTED', `${req.what}: cancelled`, { cause: err });
    }
  }

  private async follow(req: HttpRequest, attempt: number): Promise<HttpResponse> {
    let url = req.url;
    let method = req.method;
    let body = req.body;
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, ...req.headers };
    for (let hop = 0; ; hop++) {
      const res = await this.exchange({ method, url, headers, body, signal: this.signalFor(req) });
      const location = res.headers.location;
      if (!redirectStatuses.has(res.statusCode) || typeof location !== 'string') {
        return { status: res.statusCode, headers: res.headers, body: res.body, url, attempts: attempt };
      }
      discard(res.body);
      const next = this.redirectTarget(url, location, hop, req);
      if (next.origin !== url.origin) delete headers.authorization;
      if (res.statusCode === 303 && method !== 'HEAD') {
        method = 'GET';
        body = undefined;
      }
      this.opts.logger?.debug({ from: describeUrl(url), to: describeUrl(next) }, 'following redirect');
      url = next;
    }
  }

  private redirectTarget(from: URL, location: string, hop: number, req: HttpRequest): URL {
    if (hop + 1 > maxRedirects) {
      throw new BosunError('REGISTRY_PROTOCOL', `${req.what}: more than ${maxRedirects} redirects`);
    }
    let next: URL;
    try {
      next = new URL(location, from);
    } catch (err) {
      throw new BosunError('REGISTRY_PROTOCOL', `${req.what}: redirect to an invalid URL`, { cause: err });
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
      throw new BosunError('REGISTRY_PROTOCOL', `${req.what}: refusing redirect to a ${next.protocol} URL`);
    }
    if (from.protocol === 'https:' && next.protocol === 'http:' && !this.opts.insecure) {
      throw new BosunError('REGISTRY_PROTOCOL', `${req.what}: refusing redirect from https to plain http (${describeUrl(next)})`);
    }
    return next;
  }

  private async exchange(x: { method: HttpMethod; url: URL; headers: Record<string, string>; body: HttpRequest['body']; signal: AbortSignal | undefined }) {
    const isRegistry = isSameHost(x.url, this.opts.registryHost);
    const dispatcher = agentFor({ verify: !(isRegistry && this.opts.insecure), ...(this.opts.caFile ? { caFile: this.opts.caFile } : {}) });
    const payload = typeof x.body === 'function' ? await x.body() : x.body;
    return request(x.url, { method: x.method, headers: x.headers, body: payload, dispatcher, signal: x.signal });
  }
}
