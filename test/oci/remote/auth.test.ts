import { after, test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseChallenge, type Challenge } from '../../../src/oci/remote/auth.js';
import { resolveCredentials } from '../../../src/oci/remote/credentials.js';
import { errorFromResponse, parseErrorBody } from '../../../src/oci/remote/errors.js';
import { describeUrl, isSameHost, parseRetryAfter } from '../../../src/oci/remote/transport.js';
import { isBosunError } from '../../../src/errors.js';

const challenges: Array<{ in: string | string[] | undefined; want: Challenge | undefined }> = [
  { in: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"', want: { scheme: 'bearer', realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } },
  { in: 'Bearer realm="https://r/token",service="r",scope="repository:a/b:pull,push"', want: { scheme: 'bearer', realm: 'https://r/token', service: 'r', scope: 'repository:a/b:pull,push' } },
  { in: 'bearer realm=https://r/token, service=r', want: { scheme: 'bearer', realm: 'https://r/token', service: 'r' } },
  { in: 'Basic realm="Registry Realm"', want: { scheme: 'basic', realm: 'Registry Realm' } },
  { in: 'Basic', want: { scheme: 'basic' } },
  { in: ['Negotiate', 'Basic realm="x"'], want: { scheme: 'basic', realm: 'x' } },
  { in: 'Bearer realm="a\\"b"', want: { scheme: 'bearer', realm: 'a"b' } },
  { in: 'Negotiate abc', want: undefined },
  { in: '', want: undefined },
  { in: undefined, want: undefined },
  { in: `Bearer realm="${'x'.repeat(100_000)}`, want: { scheme: 'bearer' } },
];
for (const c of challenges) {
  test(`parseChallenge ${String(c.in).slice(0, 50)}`, () => assert.deepEqual(parseChallenge(c.in), c.want));
}

test('property: parseChallenge and parseErrorBody never throw on arbitrary input', () => {
  fc.assert(fc.property(fc.string({ maxLength: 2000 }), (s) => {
    const c = parseChallenge(s);
    assert.ok(c === undefined || c.scheme === 'bearer' || c.scheme === 'basic');
    parseErrorBody(Buffer.from(s));
  }), { numRuns: 300 });
});

const retryAfter = [
  { in: '3', want: 3000 },
  { in: ' 0 ', want: 0 },
  { in: 'Wed, 21 Oct 2015 07:28:05 GMT', now: Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'), want: 5000 },
  { in: 'Wed, 21 Oct 2015 07:28:00 GMT', now: Date.parse('Wed, 21 Oct 2015 07:29:00 GMT'), want: 0 },
  { in: 'soon', want: undefined },
  { in: undefined, want: undefined },
];
for (const c of retryAfter) test(`parseRetryAfter ${c.in}`, () => assert.equal(parseRetryAfter(c.in, c.now), c.want));

const hosts = [
  { url: 'https://example.com/v2/', host: 'example.com', want: true },
  { url: 'https://example.com/v2/', host: 'example.com:443', want: true },
  { url: 'http://example.com/v2/', host: 'example.com:80', want: true },
  { url: 'https://example.com:5000/v2/', host: 'example.com:5000', want: true },
  { url: 'https://example.com:5000/v2/', host: 'example.com', want: false },
  { url: 'https://example.com/v2/', host: 'example.com:5000', want: false },
  { url: 'https://storage.example.com/v2/', host: 'example.com', want: false },
  { url: 'http://[::1]:5000/v2/', host: '[::1]:5000', want: true },
];
for (const c of hosts) test(`isSameHost ${c.url} ${c.host}`, () => assert.equal(isSameHost(new URL(c.url), c.host), c.want));

test('describeUrl drops userinfo and query (presigned signatures)', () => {
  assert.equal(describeUrl(new URL('https://user:pw@s3.example/bucket/blob?X-Amz-Signature=abc')), 'https://s3.example/bucket/blob');
});

const bodies = [
  { status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"m"}]}', want: 'OCI_MANIFEST_UNKNOWN' },
  { status: 404, body: '{"errors":[{"code":"BLOB_UNKNOWN"}]}', want: 'OCI_BLOB_UNKNOWN' },
  { status: 401, body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', want: 'REGISTRY_UNAUTHORIZED' },
  { status: 403, body: '{"errors":[{"code":"DENIED"}]}', want: 'REGISTRY_DENIED' },
  { status: 429, body: '{"errors":[{"code":"TOOMANYREQUESTS"}]}', want: 'REGISTRY_TOOMANYREQUESTS' },
  { status: 400, body: '{"errors":[{"code":"DIGEST_INVALID"}]}', want: 'OCI_DIGEST_MISMATCH' },
  { status: 400, body: '{"errors":[{"code":"NAME_INVALID"}]}', want: 'OCI_REFERENCE_INVALID' },
  { status: 503, body: '<html>bad gateway</html>', want: 'REGISTRY_UNAVAILABLE' },
  { status: 404, body: '', want: 'OCI_MANIFEST_UNKNOWN' },
  { status: 418, body: '{"errors":[{"code":"SOMETHING_NEW"}]}', want: 'REGISTRY_PROTOCOL' },
  { status: 400, body: '{"errors":"not an array"}', want: 'REGISTRY_PROTOCOL' },
];
for (const c of bodies) {
  test(`error body ${c.status} ${c.body.slice(0, 40)} → ${c.want}`, async () => {
    const e = await errorFromResponse({ what: 'GET x', status: c.status, body: Readable.from([Buffer.from(c.body)]) });
    assert.equal(e.code, c.want);
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'bosun-creds-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function configDir(config: unknown): string {
  const dir = join(tmp, `c${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}
const b64 = (s: string) => Buffer.from(s).toString('base64');
const bin = join(tmp, 'bin');
mkdirSync(bin);
// A credential helper that echoes the server URL it was asked about as the username.
writeFileSync(join(bin, 'docker-credential-echo'), '#!/bin/sh\nread -r url\nprintf \'{"Username":"%s","Secret":"from-helper"}\' "$url"\n');
writeFileSync(join(bin, 'docker-credential-token'), '#!/bin/sh\nread -r url\nprintf \'{"Username":"<token>","Secret":"refresh-tok"}\'\n');
chmodSync(join(bin, 'docker-credential-echo'), 0o755);
chmodSync(join(bin, 'docker-credential-token'), 0o755);
const PATH = `${bin}:${process.env.PATH}`;

const creds = [
  { name: 'explicit beats env and config', registry: 'r.example', explicit: { username: 'x', password: 'y' }, env: () => ({ BOSUN_USERNAME: 'e', BOSUN_PASSWORD: 'p' }), want: { source: 'explicit', creds: { username: 'x', password: 'y' } } },
  { name: 'env beats config', registry: 'r.example', env: () => ({ BOSUN_USERNAME: 'e', BOSUN_PASSWORD: 'p', DOCKER_CONFIG: configDir({ auths: { 'r.example': { auth: b64('c:d') } } }) }), want: { source: 'env', creds: { username: 'e', password: 'p' } } },
  { name: 'Docker Hub keyed https://index.docker.io/v1/', registry: 'docker.io', env: () => ({ DOCKER_CONFIG: configDir({ auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') } } }) }), want: { source: 'docker-config', creds: { username: 'hub', password: 'pw:with:colons' } } },
  { name: 'identitytoken', registry: 'r.example', env: () => ({ DOCKER_CONFIG: configDir({ auths: { 'r.example': { identitytoken: 'idt' } } }) }), want: { source: 'docker-config', creds: { identityToken: 'idt' } } },
  { name: 'HOME/.docker/config.json without DOCKER_CONFIG', registry: 'r.example', env: () => {
    const home = join(tmp, `home${n++}`);
    mkdirSync(join(home, '.docker'), { recursive: true });
    writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'r.example': { username: 'h', password: 'q' } } }));
    return { HOME: home };
  }, want: { source: 'docker-config', creds: { username: 'h', password: 'q' } } },
  { name: 'credHelpers beats auths', registry: 'r.example:5000', env: () => ({ PATH, DOCKER_CONFIG: configDir({ auths: { 'r.example:5000': { auth: b64('a:b') } }, credHelpers: { 'r.example:5000': 'echo' } }) }), want: { source: 'credential-helper', creds: { username: 'r.example:5000', password: 'from-helper' } } },
  { name: 'credsStore for Docker Hub is asked for https://index.docker.io/v1/', registry: 'docker.io', env: () => ({ PATH, DOCKER_CONFIG: configDir({ auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'echo' }) }), want: { source: 'credential-helper', creds: { username: 'https://index.docker.io/v1/', password: 'from-helper' } } },
  { name: 'helper answering <token> gives an identity token', registry: 'r.example', env: () => ({ PATH, DOCKER_CONFIG: configDir({ credsStore: 'token' }) }), want: { source: 'credential-helper', creds: { identityToken: 'refresh-tok' } } },
  { name: 'no entry means anonymous', registry: 'other.example', env: () => ({ DOCKER_CONFIG: configDir({ auths: { 'r.example': { auth: b64('a:b') } } }) }), want: { source: 'anonymous' } },
  { name: 'no config file means anonymous', registry: 'r.example', env: () => ({ DOCKER_CONFIG: join(tmp, 'absent') }), want: { source: 'anonymous' } },
] as const;
for (const c of creds) {
  test(`credentials: ${c.name}`, async () => {
    const explicit = 'explicit' in c ? { ...c.explicit } : undefined;
    assert.deepEqual(await resolveCredentials(c.registry, explicit, { HOME: join(tmp, 'nohome'), ...c.env() }), c.want);
  });
}

test('credentials: a helper name with a path is refused', async () => {
  const env = { PATH, DOCKER_CONFIG: configDir({ credsStore: '../../bin/sh' }) };
  await assert.rejects(resolveCredentials('r.example', undefined, env), (e) => isBosunError(e, 'REGISTRY_CREDENTIALS'));
});
