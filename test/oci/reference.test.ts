import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { apiHost, formatReference, parseReference, parseRepository, type Reference } from '../../src/oci/reference.js';
import { isBosunError } from '../../src/errors.js';

const dg = `sha256:${'ab'.repeat(32)}` as const;

const good: Array<{ in: string; want: Reference }> = [
  { in: 'alpine', want: { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' } },
  { in: 'alpine:3.20', want: { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' } },
  { in: 'library/alpine', want: { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' } },
  { in: 'bitnami/redis:7', want: { registry: 'docker.io', repository: 'bitnami/redis', tag: '7' } },
  { in: 'docker.io/alpine', want: { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' } },
  { in: 'index.docker.io/alpine', want: { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' } },
  { in: 'index.docker.io/foo/bar:x', want: { registry: 'docker.io', repository: 'foo/bar', tag: 'x' } },
  { in: 'ghcr.io/org/app:v1.2.3', want: { registry: 'ghcr.io', repository: 'org/app', tag: 'v1.2.3' } },
  { in: 'localhost/app', want: { registry: 'localhost', repository: 'app', tag: 'latest' } },
  { in: 'localhost:5000/app', want: { registry: 'localhost:5000', repository: 'app', tag: 'latest' } },
  { in: '127.0.0.1:5000/a/b/c:t', want: { registry: '127.0.0.1:5000', repository: 'a/b/c', tag: 't' } },
  { in: '[::1]:5000/app:1', want: { registry: '[::1]:5000', repository: 'app', tag: '1' } },
  { in: '[2001:db8::1]/app', want: { registry: '[2001:db8::1]', repository: 'app', tag: 'latest' } },
  { in: 'Registry.Example.COM/app', want: { registry: 'registry.example.com', repository: 'app', tag: 'latest' } },
  { in: `alpine@${dg}`, want: { registry: 'docker.io', repository: 'library/alpine', digest: dg } },
  { in: `alpine:3@${dg}`, want: { registry: 'docker.io', repository: 'library/alpine', tag: '3', digest: dg } },
  { in: `example.com:443/x/y:z@${dg}`, want: { registry: 'example.com:443', repository: 'x/y', tag: 'z', digest: dg } },
  { in: 'a/b__c/d-e---f/g.h_i', want: { registry: 'docker.io', repository: 'a/b__c/d-e---f/g.h_i', tag: 'latest' } },
  { in: 'app:_underscore.tag-1', want: { registry: 'docker.io', repository: 'library/app', tag: '_underscore.tag-1' } },
  { in: `app:${'t'.repeat(128)}`, want: { registry: 'docker.io', repository: 'library/app', tag: 't'.repeat(128) } },
  { in: 'my-registry:5000/team/app', want: { registry: 'my-registry:5000', repository: 'team/app', tag: 'latest' } },
];
for (const c of good) {
  test(`parseReference ${c.in.slice(0, 60)}`, () => assert.deepEqual(parseReference(c.in), c.want));
}

const bad: Array<{ in: string; why: string }> = [
  { in: '', why: 'empty' },
  { in: 'Alpine', why: 'uppercase repository' },
  { in: 'docker.io/Library/alpine', why: 'uppercase path component' },
  { in: 'a//b', why: 'empty component' },
  { in: 'a/', why: 'trailing slash' },
  { in: '/a', why: 'leading slash' },
  { in: 'example.com/', why: 'registry with no repository' },
  { in: 'example.com/../etc', why: 'dot-dot component' },
  { in: 'a/../b', why: 'dot-dot in the middle' },
  { in: 'a/./b', why: 'dot component' },
  { in: 'a..b', why: 'double dot separator' },
  { in: '-a', why: 'leading separator' },
  { in: 'a-', why: 'trailing separator' },
  { in: 'a___b', why: 'triple underscore' },
  { in: 'app:', why: 'empty tag' },
  { in: 'app:-x', why: 'tag starting with dash' },
  { in: 'app:.x', why: 'tag starting with dot' },
  { in: `app:${'t'.repeat(129)}`, why: 'tag of 129 characters' },
  { in: 'app:a/b', why: 'slash after tag colon is a repository path, and "app:a" is not a host' },
  { in: 'app@sha256:abc', why: 'short digest' },
  { in: `app@md5:${'a'.repeat(32)}`, why: 'unsupported digest algorithm' },
  { in: `app@sha256:${'A'.repeat(64)}`, why: 'uppercase digest hex' },
  { in: 'app@', why: 'empty digest' },
  { in: 'ex ample.com/app', why: 'space in host' },
  { in: 'exa_mple.com/app', why: 'underscore in host' },
  { in: '-example.com/app', why: 'host label starting with dash' },
  { in: 'example.com:port/app', why: 'non-numeric port' },
  { in: '[::1/app', why: 'unclosed IPv6 bracket' },
  { in: '[zz::1]:5000/app', why: 'IPv6 with non-hex' },
  { in: `${'a'.repeat(256)}`, why: 'name longer than 255' },
  { in: `example.com/${'a/'.repeat(130)}a`, why: 'name longer than 255 with registry' },
  { in: 'x'.repeat(100_000), why: 'very long input' },
  { in: 'app:tag\n', why: 'newline' },
  { in: 'app\u0000', why: 'NUL byte' },
  { in: 'ä/app', why: 'non-ascii' },
];
for (const c of bad) {
  test(`parseReference rejects ${c.why}`, () => {
    assert.throws(() => parseReference(c.in), (e) => isBosunError(e, 'OCI_REFERENCE_INVALID'));
  });
}

test('parseReference bounds the input it quotes in messages', () => {
  const long = `app:${'-'.repeat(2000)}`;
  assert.throws(() => parseReference(long), (e) => isBosunError(e, 'OCI_REFERENCE_INVALID') && e.message.length < 400);
});

const formats = [
  { in: 'alpine', full: 'docker.io/library/alpine:latest', familiar: 'alpine:latest' },
  { in: 'bitnami/redis:7', full: 'docker.io/bitnami/redis:7', familiar: 'bitnami/redis:7' },
  { in: `localhost:5000/a@${dg}`, full: `localhost:5000/a@${dg}`, familiar: `localhost:5000/a@${dg}` },
  { in: 'docker.io/library/a/b:1', full: 'docker.io/library/a/b:1', familiar: 'library/a/b:1' },
];
for (const c of formats) {
  test(`formatReference ${c.in}`, () => {
    assert.equal(formatReference(parseReference(c.in)), c.full);
    assert.equal(formatReference(parseReference(c.in), { familiar: true }), c.familiar);
  });
}

test('apiHost maps docker.io to registry-1.docker.io and leaves others', () => {
  assert.equal(apiHost('docker.io'), 'registry-1.docker.io');
  assert.equal(apiHost('localhost:5000'), 'localhost:5000');
});

test('parseRepository refuses a tag or digest', () => {
  assert.deepEqual(parseRepository('localhost:5000/a/b'), { registry: 'localhost:5000', repository: 'a/b' });
  assert.throws(() => parseRepository('localhost:5000/a:1'), (e) => isBosunError(e, 'OCI_REFERENCE_INVALID'));
  assert.throws(() => parseRepository(`a@${dg}`), (e) => isBosunError(e, 'OCI_REFERENCE_INVALID'));
});

const alnum = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const component = fc.tuple(alnum, fc.array(fc.tuple(fc.constantFrom('.', '_', '__', '-', '--'), alnum), { maxLength: 2 }))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''));
const host = fc.oneof(
  fc.constant('docker.io'),
  fc.constant('localhost'),
  fc.tuple(alnum, alnum).map(([a, b]) => `${a}.${b}`),
  fc.tuple(alnum, fc.integer({ min: 1, max: 65535 })).map(([a, p]) => `${a}.example:${p}`),
  fc.integer({ min: 1, max: 65535 }).map((p) => `[::1]:${p}`),
);
const refArb = fc.record({
  registry: host,
  path: fc.array(component, { minLength: 1, maxLength: 4 }),
  tag: fc.option(fc.stringMatching(/^\w[\w.-]{0,20}$/), { nil: undefined }),
  digest: fc.option(fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`), { nil: undefined }),
});

test('property: format then parse gives back the same reference', () => {
  fc.assert(
    fc.property(refArb, (r) => {
      const s = `${r.registry}/${r.path.join('/')}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
      const parsed = parseReference(s);
      assert.deepEqual(parseReference(formatReference(parsed)), parsed);
      assert.deepEqual(parseReference(formatReference(parsed, { familiar: true })), parsed);
    }),
    { numRuns: 300 },
  );
});

test('property: arbitrary strings either parse or throw OCI_REFERENCE_INVALID', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      try {
        parseReference(s);
      } catch (e) {
        assert.ok(isBosunError(e, 'OCI_REFERENCE_INVALID'), String(e));
      }
    }),
    { numRuns: 500 },
  );
});
