import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBosunError } from '../../src/errors.js';
import { matchPattern, parsePolicies, substituteAll } from '../../src/policy/index.js';
import { matchWildcard } from '../../src/policy/wildcard.js';

// Property tests: hostile policy text and JSON never crash the engine with anything but a BosunError.
const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<unknown>;

test('parsePolicies on arbitrary text throws only BosunError', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
    try {
      parsePolicies(s, 'fuzz');
    } catch (err) {
      assert.ok(isBosunError(err), String(err));
    }
  }), { numRuns: 300 });
});

test('matchPattern is total on arbitrary JSON', () => {
  fc.assert(fc.property(json, json, (resource, pattern) => {
    assert.ok(['pass', 'fail', 'skip'].includes(matchPattern(resource, pattern).status));
  }), { numRuns: 300 });
});

test('substituteAll never throws on arbitrary documents', () => {
  const withVars = fc.oneof(json, fc.string({ maxLength: 40 }).map((s) => `{{ ${s} }}`), fc.string({ maxLength: 40 }));
  fc.assert(fc.property(withVars, (doc) => {
    const r = substituteAll(doc, { data: { request: { object: { a: 1 } } } });
    assert.equal(typeof r.ok, 'boolean');
  }), { numRuns: 300 });
});

test('wildcard without metacharacters is plain equality', () => {
  fc.assert(fc.property(fc.string({ maxLength: 20 }).filter((s) => !/[*?]/.test(s)), fc.string({ maxLength: 20 }), (p, s) => {
    assert.equal(matchWildcard(p, s), p === s);
  }), { numRuns: 300 });
});
