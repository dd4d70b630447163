import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBosunError } from '../../src/errors.js';
import { Limiter, SingleFlight } from '../../src/registry/proxy/single-flight.js';

test('Limiter admits at most max holders, hands slots on in order, and refuses past maxWaiting', async () => {
  const limiter = new Limiter(2, 2);
  const a = await limiter.acquire();
  const b = await limiter.acquire();
  const order: string[] = [];
  const c = limiter.acquire().then((release) => (order.push('c'), release));
  const d = limiter.acquire().then((release) => (order.push('d'), release));
  await assert.rejects(limiter.acquire(), (err) => isBosunError(err, 'REGISTRY_PROXY_UPSTREAM_UNAVAILABLE'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, []);
  a();
  a(); // a second release of the same slot is ignored
  const releaseC = await c;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['c']);
  b();
  const releaseD = await d;
  assert.deepEqual(order, ['c', 'd']);
  releaseC();
  releaseD();
  // Both slots are free again.
  const e = await limiter.acquire();
  const f = await limiter.acquire();
  e();
  f();
});

test('SingleFlight shares one running task per key and frees the key when it settles', async () => {
  const flights = new SingleFlight<number>();
  let runs = 0;
  let finish!: (n: number) => void;
  const task = () => {
    runs++;
    return new Promise<number>((r) => (finish = r));
  };
  const first = flights.run('k', task);
  const second = flights.run('k', task);
  assert.equal(flights.current('k'), first);
  finish(7);
  assert.deepEqual(await Promise.all([first, second]), [7, 7]);
  assert.equal(runs, 1);
  assert.equal(flights.current('k'), undefined);
  const third = flights.run('k', async () => (runs++, 8));
  assert.equal(await third, 8);
  assert.equal(runs, 2);
});
