// A small HTTP client for the conformance workflows: plain fetch against a registry base URL,
// with `<name>` paths, query parameters, and session `Location`s followed relative to the base
// (registries answer absolute or relative Locations; both name the same path).
import assert from 'node:assert/strict';

export interface Reply {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface RequestSpec {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/v2/...`, or a `Location` header value (absolute URL or path). */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array;
}

export class RegistryClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(spec: RequestSpec): Promise<Reply> {
    const url = this.resolve(spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
    const init: RequestInit = { method: spec.method, headers: spec.headers ?? {}, signal: AbortSignal.timeout(this.timeoutMs) };
    if (spec.body !== undefined) init.body = new Uint8Array(spec.body);
    const res = await fetch(url, init);
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, body };
  }

  /** The path (and query) of a Location relative to the registry, as the suite compares it. */
  relativeLocation(reply: Reply): string {
    const loc = reply.headers.get('location');
    assert.ok(loc, `no Location header (status ${reply.status})`);
    const u = new URL(loc, this.baseUrl);
    return u.pathname + u.search;
  }

  private resolve(path: string): URL {
    const u = new URL(path, this.baseUrl);
    // A Location naming another host would send the harness's traffic elsewhere: keep it here.
    const base = new URL(this.baseUrl);
    return new URL(u.pathname + u.search, base);
  }
}

/** The `errors[].code` values of an error body ([] when the body is not one). */
export function errorCodes(reply: Reply): string[] {
  try {
    const doc = JSON.parse(reply.body.toString('utf8')) as { errors?: Array<{ code?: unknown }> };
    return (doc.errors ?? []).map((e) => String(e.code));
  } catch {
    return [];
  }
}

/** Every error code the distribution spec defines. */
export const specErrorCodes: readonly string[] = [
  'BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'MANIFEST_UNVERIFIED', 'NAME_INVALID', 'NAME_UNKNOWN',
  'SIZE_INVALID', 'TAG_INVALID', 'UNAUTHORIZED', 'DENIED', 'UNSUPPORTED',
];

function describe(reply: Reply): string {
  const text = reply.body.toString('utf8').slice(0, 200);
  return `status ${reply.status}${text ? `: ${text}` : ''}`;
}

/** Asserts the status is one of `allowed`; `'2xx'` stands for any success. */
export function expectStatus(reply: Reply, ...allowed: Array<number | '2xx'>): void {
  const ok = allowed.some((a) => (a === '2xx' ? reply.status >= 200 && reply.status < 300 : reply.status === a));
  assert.ok(ok, `want ${allowed.join(' or ')}, got ${describe(reply)}`);
}

export function expectLocation(reply: Reply): string {
  const loc = reply.headers.get('location');
  assert.ok(loc, `want a Location header, got none (status ${reply.status})`);
  return loc;
}

/** When the registry sends Docker-Content-Digest it must be `digest` (the header is optional). */
export function expectDigestIfSent(reply: Reply, digest: string): void {
  const h = reply.headers.get('docker-content-digest');
  if (h !== null && h !== '') assert.equal(h, digest, 'Docker-Content-Digest names another digest');
}
