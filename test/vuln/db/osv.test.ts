import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BosunError } from '../../../src/errors.js';
import { decodeOsv, defaultOsvLimits } from '../../../src/vuln/db/osv.js';
import { readSource } from './helpers.js';

const base = { id: 'X-1', modified: '2024-01-01T00:00:00Z' };
const pkg = (events: unknown[], extra: Record<string, unknown> = {}) => ({
  ...base,
  affected: [{ package: { ecosystem: 'PyPI', name: 'requests' }, ranges: [{ type: 'ECOSYSTEM', events }], ...extra }],
});

test('a minimal record gets empty lists, not undefined', () => {
  assert.deepEqual(decodeOsv(JSON.stringify(base), 't'), { ...base, aliases: [], related: [], severity: [], affected: [], references: [] });
});

test('unknown fields are ignored; events keep their order and kind', () => {
  const a = decodeOsv(JSON.stringify({ ...pkg([{ introduced: '0' }, { fixed: '2.0' }, { last_affected: '3' }, { limit: '4' }]), future_field: { x: 1 } }), 't');
  assert.deepEqual(a.affected[0]?.ranges[0]?.events, [{ introduced: '0' }, { fixed: '2.0' }, { last_affected: '3' }, { limit: '4' }]);
  assert.equal('future_field' in a, false);
});

const tolerated = [
  { name: 'range of unknown type dropped', rec: { ...base, affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'FUTURE', events: [] }] }] }, ranges: 0, affected: 1 },
  { name: 'event without a known key dropped', rec: pkg([{ introduced: '0' }, { something: '1' }]), ranges: 1, affected: 1 },
  { name: 'affected without package dropped', rec: { ...base, affected: [{ ranges: [{ type: 'GIT', repo: 'r', events: [{ introduced: 'abc' }] }] }] }, ranges: 0, affected: 0 },
  { name: 'null aliases read as empty', rec: { ...base, aliases: null }, ranges: 0, affected: 0 },
] as const;
for (const c of tolerated) {
  test(`tolerated: ${c.name}`, () => {
    const a = decodeOsv(JSON.stringify(c.rec), 't');
    assert.equal(a.affected.length, c.affected);
    assert.equal(a.affected[0]?.ranges.length ?? 0, c.ranges);
  });
}

const small = { ...defaultOsvLimits, maxAffected: 2, maxEventsPerRange: 3, maxVersionsPerAffected: 2, maxRecordBytes: 2048 };
const rejected = [
  { name: 'not JSON', raw: '{"id":', code: 'VULN_ADVISORY_INVALID' },
  { name: 'missing id', raw: JSON.stringify({ modified: 'x' }), code: 'VULN_ADVISORY_INVALID' },
  { name: 'missing modified', raw: JSON.stringify({ id: 'x' }), code: 'VULN_ADVISORY_INVALID' },
  { name: 'an array', raw: '[]', code: 'VULN_ADVISORY_INVALID' },
  { name: 'events not a list', raw: JSON.stringify({ ...base, affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: 5 }] }] }), code: 'VULN_ADVISORY_INVALID' },
  { name: 'too many affected', raw: JSON.stringify({ ...base, affected: [{}, {}, {}] }), code: 'LIMIT_EXCEEDED' },
  { name: 'too many events', raw: JSON.stringify(pkg([{ introduced: '0' }, { fixed: '1' }, { introduced: '2' }, { fixed: '3' }])), code: 'LIMIT_EXCEEDED' },
  { name: 'too many versions', raw: JSON.stringify(pkg([], { versions: ['1', '2', '3'] })), code: 'LIMIT_EXCEEDED' },
  { name: 'record too large', raw: JSON.stringify({ ...base, summary: 'x'.repeat(4096) }), code: 'LIMIT_EXCEEDED' },
] as const;
for (const c of rejected) {
  test(`rejected: ${c.name}`, () => assert.throws(() => decodeOsv(c.raw, 't', small), (e: unknown) => e instanceof BosunError && e.code === c.code));
}

test('only the *_specific keys the matcher reads are kept; the package purl is not', () => {
  const a = decodeOsv(JSON.stringify({
    ...pkg([{ introduced: '0' }], {
      package: { ecosystem: 'Go', name: 'stdlib', purl: 'pkg:golang/stdlib' },
      ecosystem_specific: { imports: [{ path: 'net/http', symbols: ['Serve'] }], urgency: 'low' },
      database_specific: { source: 'https://example.test/x.json', status: 'will_not_fix' },
    }),
    database_specific: { severity: 'HIGH', cwe_ids: ['CWE-20'], github_reviewed: true },
  }), 't');
  assert.deepEqual(a.databaseSpecific, { severity: 'HIGH' });
  assert.deepEqual(a.affected[0]?.ecosystemSpecific, { urgency: 'low' });
  assert.deepEqual(a.affected[0]?.databaseSpecific, { status: 'will_not_fix' });
  assert.equal('purl' in a.affected[0]!, false);
  const none = decodeOsv(JSON.stringify(pkg([], { ecosystem_specific: { imports: [] } })), 't');
  assert.equal('ecosystemSpecific' in none.affected[0]!, false, 'an entry with nothing the matcher reads stores no object');
});

test('withdrawn records decode with their withdrawn date', () => {
  const a = decodeOsv(JSON.stringify({ ...base, withdrawn: '2024-02-02T00:00:00Z' }), 't');
  assert.equal(a.withdrawn, '2024-02-02T00:00:00Z');
});

test('every real record in shared/advisories decodes, ids and affected counts preserved', async () => {
  for (const source of ['ghsa-subset', 'nodejs-security-wg', 'debian-changelog']) {
    for (const { file, record } of await readSource(source)) {
      const a = decodeOsv(JSON.stringify(record), file);
      assert.equal(a.id, record.id);
      assert.equal(a.affected.length, (record.affected ?? []).filter((x) => x.package).length, file);
    }
  }
});

test('arbitrary bytes and JSON only ever throw BosunError', () => {
  const onlyBosun = (raw: string | Uint8Array) => {
    try {
      decodeOsv(raw, 'fuzz', small);
    } catch (err) {
      assert.ok(err instanceof BosunError, String(err));
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), onlyBosun), { numRuns: 300 });
  fc.assert(fc.property(fc.json({ maxDepth: 4 }), onlyBosun), { numRuns: 300 });
});
