import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { BosunError, isBosunError, type ErrorCode } from '../../errors.js';
import { isDigest, type Digest } from '../../oci/digest.js';
import { manifestAccept } from '../../oci/media-types.js';
import { dockerHub } from '../../oci/reference.js';
import { discard } from '../../oci/remote/errors.js';
import { fetchManifest, guardBody, type FetchedManifest } from '../../oci/remote/fetch.js';
import type { Credentials, RemoteOptions } from '../../oci/remote/options.js';
import { Session, type SessionRequest } from '../../oci/remote/session.js';
import type { HttpResponse } from '../../oci/remote/transport.js';
import type { ProxyEntry } from './config.js';
import { Limiter } from './single-flight.js';

const hubHosts = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const maxSessions = 256;

// Upstream failures and what the client is told when nothing is cached. A 404 is an answer,
// not a failure: it is passed on and never hidden behind a cached copy.
const mapped: Partial<Record<ErrorCode, ErrorCode>> = {
  OCI_MANIFEST_UNKNOWN: 'REGISTRY_SERVE_MANIFEST_UNKNOWN',
  OCI_BLOB_UNKNOWN: 'REGISTRY_SERVE_BLOB_UNKNOWN',
  REGISTRY_TOOMANYREQUESTS: 'REGISTRY_PROXY_UPSTREAM_TOOMANYREQUESTS',
  OCI_DIGEST_MISMATCH: 'REGISTRY_PROXY_UPSTREAM_INVALID',
  OCI_SIZE_MISMATCH: 'REGISTRY_PROXY_UPSTREAM_INVALID',
  OCI_MANIFEST_INVALID: 'REGISTRY_PROXY_UPSTREAM_INVALID',
  OCI_MANIFEST_UNSUPPORTED: 'REGISTRY_PROXY_UPSTREAM_INVALID',
  LIMIT_EXCEEDED: 'REGISTRY_PROXY_UPSTREAM_INVALID',
  REGISTRY_PROXY_UPSTREAM_INVALID: 'REGISTRY_PROXY_UPSTREAM_INVALID',
  REGISTRY_PROXY_UPSTREAM_TOOMANYREQUESTS: 'REGISTRY_PROXY_UPSTREAM_TOOMANYREQUESTS',
};

/**
 * Turns whatever an upstream request threw into the error the proxy answers with:
 * REGISTRY_SERVE_MANIFEST_UNKNOWN / BLOB_UNKNOWN for a 404, REGISTRY_PROXY_UPSTREAM_* for the
 * rest (unreachable, timeouts, 5xx, refused credentials and protocol errors are UNAVAILABLE).
 */
export function upstreamError(err: unknown, what: string): BosunError {
  const code = (isBosunError(err) && mapped[err.code]) || 'REGISTRY_PROXY_UPSTREAM_UNAVAILABLE';
  const why = isBosunError(err, 'ABORTED') ? 'timed out' : err instanceof Error ? err.message : String(err);
  return new BosunError(code, `${what}: ${why}`, { cause: err });
}

/** Keeps the registry's own errors (REGISTRY_SERVE_*, REGISTRY_PROXY_*); maps the rest with `upstreamError`. */
export function asProxyError(err: unknown, what: string): BosunError {
  if (isBosunError(err) && (err.code.startsWith('REGISTRY_SERVE_') || err.code.startsWith('REGISTRY_PROXY_'))) return err;
  return upstreamError(err, what);
}

/** True when an upstream error allows serving the cached copy instead (anything but a 404). */
export function isOutage(err: BosunError): boolean {
  return err.code !== 'REGISTRY_SERVE_MANIFEST_UNKNOWN' && err.code !== 'REGISTRY_SERVE_BLOB_UNKNOWN';
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A blob body from upstream; `size` is its Content-Length when sent. `release` frees the slot. */
export interface UpstreamBlob {
  body: Readable;
  size: number | undefined;
  release: () => void;
}

/**
 * One upstream registry, through bosun's registry client (auth, docker config, retries,
 * redirects, TLS options). Every request is bounded by `timeout` until its response headers
 * arrive and by `maxConcurrent` requests in flight; failures come out of `upstreamError`.
 */
export class Upstream {
  readonly prefix: string;
  readonly #registry: string;
  readonly #isHub: boolean;
  readonly #opts: RemoteOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #limiter: Limiter;

  private constructor(readonly entry: ProxyEntry, auth: Credentials | undefined, logger: FastifyBaseLogger | undefined) {
    this.prefix = entry.prefix;
    const host = new URL(entry.upstream).host;
    this.#isHub = hubHosts.has(host);
    this.#registry = this.#isHub ? dockerHub : host;
    // The server's own BOSUN_USERNAME/PASSWORD are for its CLI use, never for an upstream.
    const env = { ...process.env, BOSUN_USERNAME: undefined, BOSUN_PASSWORD: undefined };
    this.#opts = {
      insecure: entry.insecure, env, retry: { attempts: entry.attempts, baseDelayMs: 200, maxDelayMs: 2000, maxRetryAfterMs: 5000 },
      ...(auth ? { auth } : {}), ...(entry.caFile ? { caFile: entry.caFile } : {}),
      ...(logger ? { logger: logger as unknown as NonNullable<RemoteOptions['logger']> } : {}),
    };
    this.#limiter = new Limiter(entry.maxConcurrent);
  }

  /**
   * Reads `passwordFile` (once, at start) and checks that `caFile` is readable, so a typo fails
   * the start rather than the first pull; throws REGISTRY_CONFIG_INVALID.
   */
  static async open(entry: ProxyEntry, logger?: FastifyBaseLogger): Promise<Upstream> {
    if (entry.caFile !== undefined) {
      try {
        await readFile(entry.caFile, 'utf8');
      } catch (err) {
        throw new BosunError('REGISTRY_CONFIG_INVALID', `proxy "${entry.prefix}": cannot read caFile ${entry.caFile}`, { cause: err });
      }
    }
    let auth: Credentials | undefined;
    if (entry.username !== undefined && entry.passwordFile !== undefined) {
      try {
        auth = { username: entry.username, password: (await readFile(entry.passwordFile, 'utf8')).replace(/\r?\n$/, '') };
      } catch (err) {
        throw new BosunError('REGISTRY_CONFIG_INVALID', `proxy "${entry.prefix}": cannot read passwordFile ${entry.passwordFile}`, { cause: err });
      }
    }
    return new Upstream(entry, auth, logger);
  }

  /** The upstream repository behind a local one (`<prefix>/<x>` → `<x>`; Docker Hub adds `library/`). */
  upstreamRepo(repo: string): string {
    const rest = repo.slice(this.prefix.length + 1);
    return this.#isHub && !rest.includes('/') ? `library/${rest}` : rest;
  }

  /** The digest a tag names upstream (HEAD), or undefined when the upstream does not say. */
  async headManifest(repo: string, tag: string): Promise<Digest | undefined> {
    const up = this.upstreamRepo(repo);
    const res = await this.request(up, {
      method: 'HEAD', path: `/v2/${up}/manifests/${tag}`, headers: { accept: manifestAccept },
      what: `HEAD manifest ${up}:${tag}`, expect: [200], notFound: 'OCI_MANIFEST_UNKNOWN',
    });
    discard(res.body);
    const digest = header(res.headers['docker-content-digest']);
    return digest !== undefined && isDigest(digest) ? digest : undefined;
  }

  /** A manifest by tag or digest, verified and bounded (see `fetchManifest`). */
  async getManifest(repo: string, ref: string): Promise<FetchedManifest> {
    const up = this.upstreamRepo(repo);
    return this.guarded(up, `manifest ${up}:${ref}`, (session, signal) => fetchManifest(session, ref, `${up}@${ref}`, signal));
  }

  /** A blob's size upstream (HEAD); throws BLOB_UNKNOWN (mapped) when it is not there. */
  async headBlob(repo: string, digest: Digest): Promise<number | undefined> {
    const up = this.upstreamRepo(repo);
    const res = await this.request(up, { method: 'HEAD', path: `/v2/${up}/blobs/${digest}`, what: `HEAD blob ${up}@${digest}`, expect: [200], notFound: 'OCI_BLOB_UNKNOWN' });
    discard(res.body);
    const size = Number(header(res.headers['content-length']));
    return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
  }

  /**
   * Opens a blob's bytes upstream. The concurrency slot stays taken until `release()`, which
   * the caller calls once the body is consumed or abandoned. The body is NOT verified here.
   */
  async getBlob(repo: string, digest: Digest): Promise<UpstreamBlob> {
    const up = this.upstreamRepo(repo);
    const what = `blob ${up}@${digest}`;
    const release = await this.#limiter.acquire();
    try {
      const res = await this.timed(up, what, (session, signal) =>
        session.request({ method: 'GET', path: `/v2/${up}/blobs/${digest}`, what: `GET ${what}`, expect: [200], notFound: 'OCI_BLOB_UNKNOWN', signal }),
      );
      const size = Number(header(res.headers['content-length']));
      if (Number.isSafeInteger(size) && size > this.entry.maxBlobBytes) {
        discard(res.body);
        throw new BosunError('REGISTRY_PROXY_UPSTREAM_INVALID', `${what}: ${size} bytes is over the proxy's maxBlobBytes (${this.entry.maxBlobBytes})`);
      }
      return { body: guardBody(res.body, what), size: Number.isSafeInteger(size) && size >= 0 ? size : undefined, release };
    } catch (err) {
      release();
      throw upstreamError(err, what);
    }
  }

  private async request(up: string, req: Omit<SessionRequest, 'signal'>): Promise<HttpResponse> {
    return this.guarded(up, req.what, (session, signal) => session.request({ ...req, signal }));
  }

  // Holds a concurrency slot for the whole call and maps its errors.
  private async guarded<T>(up: string, what: string, call: (session: Session, signal: AbortSignal) => Promise<T>): Promise<T> {
    const release = await this.#limiter.acquire();
    try {
      return await this.timed(up, what, call);
    } catch (err) {
      throw upstreamError(err, what);
    } finally {
      release();
    }
  }

  // The timeout covers connecting, retries and the response headers; for a manifest `call`
  // also reads the (small) body under it. The race covers the session's first ping, which
  // takes no per-request signal. A failed session is dropped so the next request pings
  // again (the upstream may be back).
  private async timed<T>(up: string, what: string, call: (session: Session, signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const err = new BosunError('ABORTED', `${what}: no answer within ${this.entry.timeout} ms`);
        controller.abort(err);
        reject(err);
      }, this.entry.timeout);
    });
    const session = this.session(up);
    try {
      return await Promise.race([call(session, controller.signal), expired]);
    } catch (err) {
      if (this.#sessions.get(up) === session) this.#sessions.delete(up);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private session(up: string): Session {
    let s = this.#sessions.get(up);
    if (s) return s;
    if (this.#sessions.size >= maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!);
    s = new Session(this.#registry, up, 'pull', this.#opts);
    this.#sessions.set(up, s);
    return s;
  }
}
