import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBosunError } from '../../src/errors.js';
import { parseRegistryConfig } from '../../src/registry/config.js';
import { parseDuration, proxyExtension } from '../../src/registry/proxy/index.js';
import { makeApp } from './helpers.js';

const durations = [
  { in: '500ms', want: 500 },
  { in: '30s', want: 30_000 },
  { in: '10m', want: 600_000 },
  { in: '2h', want: 7_200_000 },
  { in: '1d', want: 86_400_000 },
  { in: 90, want: 90_000 }, // a bare number is seconds
  { in: '10', want: undefined }, // a string needs its unit
  { in: '1.5h', want: undefined },
  { in: '-1s', want: undefined },
  { in: -1, want: undefined },
] as const;
for (const c of durations) test(`duration ${JSON.stringify(c.in)}`, () => assert.equal(parseDuration(c.in), c.want));

const hub = { prefix: 'dockerhub', upstream: 'https://registry-1.docker.io' };

test('a proxy entry gets its defaults', () => {
  const [entry] = parseRegistryConfig({ proxy: [hub] }).proxy;
  assert.deepEqual(
    { ttl: entry!.tagTtl, timeout: entry!.timeout, insecure: entry!.insecure, attempts: entry!.attempts, max: entry!.maxConcurrent },
    { ttl: 600_000, timeout: 30_000, insecure: false, attempts: 2, max: 32 },
  );
  assert.deepEqual(parseRegistryConfig({}).proxy, []);
});

const invalid = [
  { name: 'overlapping prefixes', proxy: [hub, { ...hub, prefix: 'dockerhub/library' }] },
  { name: 'a repeated prefix', proxy: [hub, hub] },
  { name: 'a prefix outside the name grammar', proxy: [{ ...hub, prefix: 'Docker_Hub' }] },
  { name: 'an upstream with a path', proxy: [{ ...hub, upstream: 'https://example.com/v2/' }] },
  { name: 'an upstream with credentials in the URL', proxy: [{ ...hub, upstream: 'https://u:p@example.com' }] },
  { name: 'plain http without insecure', proxy: [{ ...hub, upstream: 'http://127.0.0.1:5000' }] },
  { name: 'a username without passwordFile', proxy: [{ ...hub, username: 'bob' }] },
  { name: 'a bad tagTtl', proxy: [{ ...hub, tagTtl: 'soon' }] },
  { name: 'an unknown key', proxy: [{ ...hub, pasword: 'x' }] },
];
for (const c of invalid) {
  test(`proxy config refuses ${c.name}`, () => {
    assert.throws(() => parseRegistryConfig({ proxy: c.proxy }), (err) => isBosunError(err, 'REGISTRY_CONFIG_INVALID'));
  });
}

const unreadable = [
  { name: 'passwordFile', entry: { ...hub, username: 'bob', passwordFile: '/nonexistent/bosun-proxy.pw' } },
  { name: 'caFile', entry: { ...hub, caFile: '/nonexistent/bosun-proxy-ca.pem' } },
];
for (const c of unreadable) {
  test(`an unreadable ${c.name} fails when the registry starts, not at the first pull`, async () => {
    const { proxy } = parseRegistryConfig({ proxy: [c.entry] });
    await assert.rejects(makeApp({ extensions: [proxyExtension(proxy)] }), (err) => isBosunError(err, 'REGISTRY_CONFIG_INVALID'));
  });
}
