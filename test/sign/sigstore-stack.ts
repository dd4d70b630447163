// A whole Sigstore stack on loopback for keyless-signing tests: @sigstore/mock's fake Fulcio
// (with its CT log), Rekor and RFC 3161 TSA, served over real HTTP so bosun (in process or as a
// subprocess) talks to them exactly as it would to the public-good instances. This is a MOCK
// because nothing real can run here: the real services need the internet and an OIDC provider.
// The mock is imported by deep path so its nock-based helpers (which patch node:http) never load.
import { X509Certificate, createHash, generateKeyPairSync, randomBytes, type KeyPairKeyObjectResult } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fulcioHandler, initializeCA, initializeCTLog, type CA, type CTLog } from '@sigstore/mock/dist/fulcio/index.js';
import { initializeTLog, rekorHandler } from '@sigstore/mock/dist/rekor/index.js';
import { initializeTSA, tsaHandler, type TSA } from '@sigstore/mock/dist/timestamp/index.js';
import { serve, type TestServer } from '../helpers/http-server.js';

type HandlerFn = (body: string) => Promise<{ statusCode: number; response: string | ArrayBufferView; contentType?: string }>;

export interface SigstoreStack {
  /** `http://127.0.0.1:PORT`: Fulcio, Rekor and the TSA share one server (their paths differ). */
  readonly url: string;
  readonly server: TestServer;
  /** trusted_root.json describing this stack's CA, CT log, Rekor and TSA keys. */
  readonly trustedRoot: Record<string, unknown>;
  /** Requests per service, in order. */
  readonly calls: { fulcio: number; rekor: number; tsa: number };
  /** When set, Fulcio answers this status with an error body instead of a certificate. */
  failFulcio: number | undefined;
  writeTrustedRoot(path: string): Promise<void>;
  close(): Promise<void>;
}

export const FAKE_ISSUER = 'https://issuer.bosun.test';

const bytes = (b: ArrayBufferView) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const b64 = (b: ArrayBufferView) => bytes(b).toString('base64');
const validFor = () => ({ start: new Date(Date.now() - 3600_000).toISOString() });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The CA and TSA run on a clock fixed at a whole second: the mock TSA writes genTime with its
 * fractional seconds DER-trimmed ('.05Z'), which @sigstore/core 3 refuses (it wants exactly
 * three digits). The mock's root certificates start at the real time they are made, so the
 * clock must not precede them (retry when a second boundary passed meanwhile). Leaf
 * certificates then cover [clock, clock + 10 min]: ample for one test file.
 */
async function fixedClockAuthorities(caKeys: KeyPairKeyObjectResult, tsaKeys: KeyPairKeyObjectResult): Promise<{ ca: CA; ctlog: CTLog; tsa: TSA }> {
  const startsBy = (der: ArrayBufferView, clock: Date) => new Date(new X509Certificate(bytes(der)).validFrom).getTime() <= clock.getTime();
  for (;;) {
    const clock = new Date(Math.floor(Date.now() / 1000) * 1000);
    const tsa = await initializeTSA(tsaKeys, clock);
    const ctlog = await initializeCTLog(caKeys, clock);
    const ca = await initializeCA(caKeys, ctlog, clock);
    if (startsBy(tsa.rootCertificate, clock) && startsBy(tsa.intCertificate, clock) && startsBy(ca.rootCertificate, clock)) return { ca, ctlog, tsa };
  }
}

/** Starts the stack; `close()` stops it. */
export async function startSigstoreStack(): Promise<SigstoreStack> {
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rekorKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tsaKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { ca, ctlog, tsa } = await fixedClockAuthorities(caKeys, tsaKeys);
  const calls = { fulcio: 0, rekor: 0, tsa: 0 };
  const routes = new Map<string, { name: keyof typeof calls; fn: HandlerFn }>();
  const stack = { failFulcio: undefined as number | undefined };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const route = req.method === 'POST' ? routes.get(req.url ?? '') : undefined;
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    calls[route.name]++;
    void readBody(req).then(async (body) => {
      if (route.name === 'fulcio' && stack.failFulcio !== undefined) {
        // Echoes the token, as a careless server might: bosun must not repeat it.
        const token = (JSON.parse(body) as { credentials?: { oidcIdentityToken?: string } }).credentials?.oidcIdentityToken ?? '';
        res.writeHead(stack.failFulcio, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: stack.failFulcio, message: `token ${token} was not accepted` }));
        return;
      }
      const out = await route.fn(body);
      res.writeHead(out.statusCode, { 'Content-Type': out.contentType ?? 'text/plain' }).end(typeof out.response === 'string' ? out.response : bytes(out.response));
    });
  };
  const server = await serve(handle);
  const url = `http://${server.host}`;
  const tlog = await initializeTLog(url, rekorKeys);
  for (const [name, h] of [['fulcio', fulcioHandler(ca)], ['rekor', rekorHandler(tlog)], ['tsa', tsaHandler(tsa)]] as const) routes.set(h.path, { name, fn: h.fn });

  const rekorDer = rekorKeys.publicKey.export({ format: 'der', type: 'spki' });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{
      baseUrl: url, hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: b64(rekorDer), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: validFor() },
      logId: { keyId: b64(createHash('sha256').update(rekorDer).digest()) },
    }],
    certificateAuthorities: [{
      subject: { organization: 'bosun-test', commonName: 'fake fulcio' }, uri: url,
      certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] }, validFor: validFor(),
    }],
    ctlogs: [{
      baseUrl: url, hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: b64(ctlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: validFor() },
      logId: { keyId: b64(ctlog.logID) },
    }],
    timestampAuthorities: [{
      subject: { organization: 'bosun-test', commonName: 'fake tsa' }, uri: url,
      certChain: { certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }] }, validFor: validFor(),
    }],
  };
  return Object.assign(stack, {
    url, server, trustedRoot, calls,
    writeTrustedRoot: (path: string) => writeFile(path, JSON.stringify(trustedRoot)),
    close: () => server.close(),
  });
}

/**
 * An OIDC-shaped JWT for the fake Fulcio (which decodes but does not verify it, as a real
 * Fulcio would against the issuer's keys). `expiresIn` in seconds; negative for an expired one.
 */
export function fakeIdentityToken(claims: { sub: string; iss?: string; expiresIn?: number }): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const payload = { iss: claims.iss ?? FAKE_ISSUER, sub: claims.sub, aud: 'sigstore', iat: now, exp: now + (claims.expiresIn ?? 600) };
  return `${enc({ alg: 'ES256', typ: 'JWT' })}.${enc(payload)}.${randomBytes(64).toString('base64url')}`;
}
