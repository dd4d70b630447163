// Per-client rate limiting: token buckets (bounded memory, LRU eviction, Retry-After) and the
// registry extension over HTTP (429 TOOMANYREQUESTS, separate read/write budgets, exempt /v2/).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { parseRegistryConfig } from '../../src/registry/config.js';
import type { RegistryExtension } from '../../src/registry/app.js';
import { rateLimit, TokenBuckets } from '../../src/registry/rate-limit/index.js';
import { openRegistry } from '../../src/registry/serve.js';
import { codeOf, makeApp } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A clock the test moves by hand (ms), so refill arithmetic is exact. */
function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('a bucket allows burst requests, then refuses with the seconds until the next token', () => {
  const clock = fakeClock();
  const buckets = new TokenBuckets({ rate: 0.5, burst: 3 }, 10, clock.now);
  assert.deepEqual([1, 2, 3].map(() => buckets.take('c').ok), [true, true, true]);
  assert.deepEqual(buckets.take('c'), { ok: false, retryAfterSeconds: 2, first: true });
  assert.deepEqual(buckets.take('c'), { ok: false, retryAfterSeconds: 2, first: false });
  clock.advance(1000);
  assert.deepEqual(buckets.take('c'), { ok: false, retryAfterSeconds: 1, first: false });
  clock.advance(1000);
  assert.equal(buckets.take('c').ok, true);
  assert.equal(buckets.take('other').ok, true, 'clients have separate buckets');
});

test('tracked clients never exceed maxClients, and the least recently seen are forgotten first', () => {
  const clock = fakeClock();
  const buckets = new TokenBuckets({ rate: 1, burst: 1 }, 100, clock.now);
  for (let i = 0; i < 5000; i++) buckets.take(`client-${i}`);
  assert.ok(buckets.size <= 100, `${buckets.size} tracked`);
  const small = new TokenBuckets({ rate: 1, burst: 1 }, 4, clock.now);
  small.take('a');
  assert.equal(small.take('a').ok, false);
  small.take('b');
  small.take('c');
  assert.equal(small.take('a').ok, false, 'a, seen recently, is still over budget');
  small.take('d');
  small.take('e');
  assert.equal(small.take('b').ok, true, 'b, the least recently seen, was forgotten and starts afresh');
});

test('idle clients (buckets refilled to burst) are forgotten', () => {
  const clock = fakeClock();
  const buckets = new TokenBuckets({ rate: 1, burst: 5 }, 1000, clock.now);
  for (let i = 0; i < 6; i++) buckets.take(`idle-${i}`);
  clock.advance(5000);
  buckets.take('fresh');
  assert.equal(buckets.size, 7, 'not yet: the idle ones were last seen one refill period ago');
  clock.advance(5000);
  buckets.take('fresh');
  assert.equal(buckets.size, 1);
});

// Plays the auth extension: names the caller from a header, before the limiter runs.
const fakeAuth: RegistryExtension = (app) => {
  app.addHook('onRequest', async (request) => {
    const user = request.headers['x-test-user'];
    if (typeof user === 'string') request.identity = { name: user, kind: 'user' };
  });
};

test('over budget: 429 TOOMANYREQUESTS with Retry-After; reads and writes separate; /v2/ exempt', async () => {
  const app = await makeApp({ extensions: [fakeAuth, rateLimit({ read: { rate: 1, burst: 3 }, write: { rate: 1, burst: 1 }, maxClients: 100 })] });
  const get = (headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1', headers });
  assert.deepEqual((await Promise.all([get(), get(), get()])).map((r) => r.statusCode), [404, 404, 404]);
  const limited = await get();
  assert.equal(limited.statusCode, 429);
  assert.equal(codeOf(limited), 'TOOMANYREQUESTS');
  assert.equal(limited.headers['retry-after'], '1');
  assert.equal((await app.inject({ method: 'GET', url: '/v2/' })).statusCode, 200, '/v2/ is exempt');
  assert.equal((await app.inject({ method: 'POST', url: '/v2/team/app/blobs/uploads/' })).statusCode, 202, 'writes have their own budget');
  assert.equal((await app.inject({ method: 'POST', url: '/v2/team/app/blobs/uploads/' })).statusCode, 429);
  assert.equal((await get({ 'x-test-user': 'alice' })).statusCode, 404, 'an authenticated user has a budget of their own');
  assert.equal((await app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1', remoteAddress: '10.0.0.9' })).statusCode, 404, 'another address too');
  await app.close();
});

test('a limited client recovers once the Retry-After time has passed', async () => {
  const app = await makeApp({ extensions: [rateLimit({ read: { rate: 20, burst: 1 }, write: { rate: 20, burst: 1 }, maxClients: 100 })] });
  const get = () => app.inject({ method: 'GET', url: '/v2/_catalog' });
  assert.equal((await get()).statusCode, 200);
  assert.equal((await get()).statusCode, 429);
  await sleep(120);
  assert.equal((await get()).statusCode, 200);
  await app.close();
});

test('registry.yaml rateLimit: off by default, on when enabled', async () => {
  assert.equal(parseRegistryConfig({}).rateLimit.enabled, false);
  const data = await tempDir('ratelimit');
  const config = parseRegistryConfig({ rateLimit: { enabled: true, read: { rate: 1, burst: 2 } } });
  assert.deepEqual(config.rateLimit.write, { rate: 10, burst: 50 }, 'an unset budget keeps its default');
  const reg = await openRegistry({ dataDir: data, config });
  const codes = [];
  for (let i = 0; i < 3; i++) codes.push((await reg.app.inject({ method: 'GET', url: '/v2/_catalog' })).statusCode);
  assert.deepEqual(codes, [200, 200, 429]);
  await reg.close();
});
