import type { ErrorCode } from '../../errors.js';
import { apiHost } from '../reference.js';
import { basicHeader, fetchToken, parseChallenge, type Challenge } from './auth.js';
import { resolveCredentials, type ResolvedCredentials } from './credentials.js';
import { discard, errorFromResponse } from './errors.js';
import { defaultUserAgent, type RemoteOptions } from './options.js';
import { isTlsProtocolError, Transport, type HttpMethod, type HttpRequest, type HttpResponse } from './transport.js';

export type Actions = 'pull' | 'pull,push';

export interface SessionRequest {
  method: HttpMethod;
  /** A path under the registry (`/v2/...`), or an absolute URL the registry gave us (uploads, pages). */
  path: string | URL;
  headers?: Record<string, string>;
  body?: HttpRequest['body'];
  what: string;
  /** Statuses that are success here; any other becomes a BosunError. */
  expect: readonly number[];
  notFound?: ErrorCode;
  signal?: AbortSignal;
}

/**
 * Talks to one repository of one registry: decides the scheme, pings `/v2/` once to learn the
 * auth challenge, then authorizes every request (anonymous first; credentials are resolved only
 * when a challenge asks for them) and re-authenticates once on a 401.
 */
export class Session {
  readonly host: string;
  private readonly transport: Transport;
  private readonly scopes: string[];
  private base: URL | undefined;
  private challenge: Challenge | undefined;
  private pinged: Promise<void> | undefined;
  private creds: Promise<ResolvedCredentials> | undefined;

  constructor(readonly registry: string, readonly repository: string, actions: Actions, private readonly opts: RemoteOptions) {
    this.host = apiHost(registry);
    this.scopes = [`repository:${repository}:${actions}`];
    this.transport = new Transport({
      registryHost: this.host,
      insecure: opts.insecure === true,
      ...(opts.caFile ? { caFile: opts.caFile } : {}),
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
      userAgent: opts.userAgent ?? defaultUserAgent,
    });
  }

  /** Sends a request with authorization; throws a BosunError for a status outside `expect`. */
  async request(req: SessionRequest): Promise<HttpResponse> {
    await (this.pinged ??= this.ping());
    let res = await this.send(req, false);
    if (res.status === 401) {
      const renewed = parseChallenge(res.headers['www-authenticate']);
      discard(res.body);
      if (renewed) this.learn(renewed);
      res = await this.send(req, true);
    }
    if (!req.expect.includes(res.status)) {
      throw await errorFromResponse({ what: req.what, status: res.status, body: res.body, attempts: res.attempts, ...(req.notFound ? { notFound: req.notFound } : {}) });
    }
    return res;
  }

  private async send(req: SessionRequest, fresh: boolean): Promise<HttpResponse> {
    const url = typeof req.path === 'string' ? new URL(req.path, this.base) : req.path;
    // Credentials go to the registry's own origin only (an upload Location may point elsewhere).
    const auth = url.origin === this.base!.origin ? await this.authorization(fresh) : undefined;
    const headers = { ...req.headers, ...(auth ? { authorization: auth } : {}) };
    return this.transport.send({
      method: req.method, url, headers, what: req.what,
      ...(req.body !== undefined ? { body: req.body } : {}), ...(req.signal ? { signal: req.signal } : {}),
    });
  }

  private learn(c: Challenge): void {
    this.challenge = c;
    if (c.scope) for (const s of c.scope.split(' ')) if (s && !this.scopes.includes(s)) this.scopes.push(s);
  }

  // HTTPS first; with `insecure`, a server that answers HTTPS with plain HTTP is retried as http.
  private async ping(): Promise<void> {
    const what = `ping ${this.host}`;
    this.base = new URL(`https://${this.host}/`);
    let res: HttpResponse;
    try {
      res = await this.transport.send({ method: 'GET', url: new URL('/v2/', this.base), what });
    } catch (err) {
      if (!(this.opts.insecure && isTlsProtocolError(err))) throw err;
      this.opts.logger?.debug({ host: this.host }, 'registry speaks plain HTTP; using http (insecure)');
      this.base = new URL(`http://${this.host}/`);
      res = await this.transport.send({ method: 'GET', url: new URL('/v2/', this.base), what });
    }
    if (res.status === 401) {
      const c = parseChallenge(res.headers['www-authenticate']);
      if (c) this.learn(c);
    } else if (res.status !== 200) {
      throw await errorFromResponse({ what, status: res.status, body: res.body, attempts: res.attempts, notFound: 'REGISTRY_PROTOCOL' });
    }
    discard(res.body);
  }

  private credentials(): Promise<ResolvedCredentials> {
    this.creds ??= resolveCredentials(this.registry, this.opts.auth, this.opts.env ?? process.env).then((r) => {
      this.opts.logger?.debug({ registry: this.registry, source: r.source }, 'credentials resolved');
      return r;
    });
    return this.creds;
  }

  private async authorization(fresh: boolean): Promise<string | undefined> {
    const c = this.challenge;
    if (!c) return undefined;
    const { creds } = await this.credentials();
    if (c.scheme === 'basic') return basicHeader(creds);
    const token = await fetchToken({ registry: this.host, challenge: c, scopes: this.scopes, creds, transport: this.transport, fresh });
    return `Bearer ${token}`;
  }
}
