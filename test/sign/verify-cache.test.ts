import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { identityPolicy } from '../../src/sign/identity.js';
import { VerificationCache, policyHash } from '../../src/sign/oci/cache.js';

const d = `sha256:${'a'.repeat(64)}` as const;

test('entries expire after the TTL and the least recently used is evicted at capacity', () => {
  let now = 1000;
  const cache = new VerificationCache<string>({ ttlMs: 100, maxEntries: 2, now: () => now });
  cache.set('k1', 'one');
  cache.set('k2', 'two');
  assert.equal(cache.get('k1'), 'one', 'k1 is now the most recently used');
  cache.set('k3', 'three');
  assert.equal(cache.get('k2'), undefined);
  assert.deepEqual([cache.get('k1'), cache.get('k3')], ['one', 'three']);
  now += 100;
  assert.equal(cache.get('k1'), undefined);
  assert.equal(cache.size, 1);
});

test('getOrCompute coalesces concurrent identical calls and stores only successes', async () => {
  const cache = new VerificationCache<string>();
  let runs = 0;
  let release!: (v: string) => void;
  const slow = (): Promise<string> => { runs++; return new Promise((ok) => (release = ok)); };
  const waiting = [cache.getOrCompute('k', slow), cache.getOrCompute('k', slow), cache.getOrCompute('k', slow)];
  release('v');
  assert.deepEqual(await Promise.all(waiting), ['v', 'v', 'v']);
  assert.equal(runs, 1);
  assert.equal(await cache.getOrCompute('k', slow), 'v', 'a later call is a hit');
  assert.equal(runs, 1);
  const failing = async (): Promise<string> => { runs++; throw new Error('bad signature'); };
  await assert.rejects(cache.getOrCompute('f', failing), /bad signature/);
  await assert.rejects(cache.getOrCompute('f', failing), /bad signature/);
  assert.equal(runs, 3, 'a failure is recomputed every time');
  assert.equal(cache.get('f'), undefined);
});

test('an aborted caller stops waiting; the shared computation finishes and is stored', async () => {
  const cache = new VerificationCache<string>();
  let release!: (v: string) => void;
  const ctl = new AbortController();
  const compute = (): Promise<string> => new Promise((ok) => (release = ok));
  const aborted = cache.getOrCompute('k', compute, { signal: ctl.signal });
  const patient = cache.getOrCompute('k', compute);
  ctl.abort(new Error('client went away'));
  await assert.rejects(aborted, /client went away/);
  release('v');
  assert.equal(await patient, 'v');
  assert.equal(cache.get('k'), 'v');
});

test('the key changes with the image, the signature state and the policy', () => {
  const base = VerificationCache.key(d, ['sha256-x.sig@sha256:1'], 'p');
  assert.notEqual(VerificationCache.key(`sha256:${'b'.repeat(64)}`, ['sha256-x.sig@sha256:1'], 'p'), base);
  assert.notEqual(VerificationCache.key(d, ['sha256-x.sig@sha256:2'], 'p'), base);
  assert.notEqual(VerificationCache.key(d, ['sha256-x.sig@sha256:1', 'referrers(tag):sha256:9'], 'p'), base);
  assert.notEqual(VerificationCache.key(d, ['sha256-x.sig@sha256:1'], 'q'), base);
});

test('policyHash tells keys, identities, roots and extras apart, and is stable', () => {
  const k1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const k2 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const id = (identity: string) => identityPolicy({ identity, issuer: 'https://issuer.example' });
  const hashes = [
    policyHash({ key: k1 }), policyHash({ key: k2 }), policyHash({ key: k1 }, { predicateType: 'a' }), policyHash({ key: k1 }, { predicateType: 'b' }),
    policyHash({ identity: id('a@example.com') }), policyHash({ identity: id('b@example.com') }),
  ];
  assert.equal(new Set(hashes).size, hashes.length);
  assert.equal(policyHash({ key: k1 }), hashes[0]);
});

test('getRecent answers only inside the revalidation window, and never when it is 0', () => {
  let now = 0;
  const windowed = new VerificationCache<string>({ ttlMs: 1000, revalidateAfterMs: 50, now: () => now });
  windowed.set('k', 'v', { reference: 'r', policy: 'p' });
  assert.equal(windowed.getRecent('r', 'p'), 'v');
  assert.equal(windowed.getRecent('r', 'other'), undefined);
  now = 50;
  assert.equal(windowed.getRecent('r', 'p'), undefined);
  assert.equal(windowed.get('k'), 'v');
  const always = new VerificationCache<string>({ ttlMs: 1000 });
  always.set('k', 'v', { reference: 'r', policy: 'p' });
  assert.equal(always.getRecent('r', 'p'), undefined);
});
