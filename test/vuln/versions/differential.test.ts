// Differential tests: bosun must agree with each ecosystem's reference implementation on every
// committed fixture pair (test/fixtures/versions/make.ts asked the reference), and a live sample is
// re-asked so a stale fixture or a changed reference is caught. `.ci/run` installs every reference.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparatorFor } from '../../../src/vuln/versions/index.js';
import { ask, isAvailable, oracles } from '../../fixtures/versions/oracles.js';
import { opOf, readFixture } from './fixtures.js';

const LIVE_SAMPLE = 40;

function bosunOp(ecosystem: string, a: string, b: string): string {
  try {
    return opOf(comparatorFor(ecosystem).compare(a, b));
  } catch (err) {
    return `threw ${(err as { code?: string }).code ?? String(err)}`;
  }
}

for (const o of oracles) {
  const eco = o.fixture;

  test(`${eco}: bosun agrees with the reference on every fixture pair`, () => {
    const { pairs } = readFixture(eco);
    assert.ok(pairs.length >= 2500, `only ${pairs.length} pairs: regenerate the fixture`);
    const disagreements = pairs
      .map((p) => ({ ...p, bosun: bosunOp(eco, p.a, p.b) }))
      .filter((p) => p.bosun !== p.op);
    assert.deepEqual(disagreements.slice(0, 20), []);
  });

  test(`${eco}: bosun rejects exactly the fixture versions the reference rejects`, () => {
    const c = comparatorFor(eco);
    const { rejected, stricter } = readFixture(eco);
    assert.deepEqual(rejected.filter((v) => c.isValid(v)), []);
    // `~` lines: versions the reference accepted but bosun refused when the fixture was made
    assert.deepEqual(stricter, []);
  });

  test(`${eco}: a sample of the fixture still matches the live reference`, () => {
    assert.ok(isAvailable(o), `reference for ${eco} is not installed (needs ${o.needs.join(', ')}; see .ci/run)`);
    const { pairs, rejected } = readFixture(eco);
    const step = Math.floor(pairs.length / LIVE_SAMPLE);
    const sample = pairs.filter((_, i) => i % step === 0).slice(0, LIVE_SAMPLE);
    const live = ask(o, [...sample.map((p) => [p.a, p.b] as const), ...rejected.slice(0, 5).map((v) => [v, v] as const)]);
    assert.deepEqual(live, [...sample.map((p) => p.op), ...rejected.slice(0, 5).map(() => '!')]);
  });
}

test('Maven: the reference jar itself has the cycle 1-0-alpha < 1 < 1.0-sp < 1-0-alpha, and so does bosun', () => {
  const maven = oracles.find((o) => o.fixture === 'Maven')!;
  const cycle = [['1-0-alpha', '1'], ['1', '1.0-sp'], ['1.0-sp', '1-0-alpha']] as const;
  assert.deepEqual(ask(maven, cycle), ['<', '<', '<']);
  assert.deepEqual(cycle.map(([a, b]) => bosunOp('Maven', a, b)), ['<', '<', '<']);
});
