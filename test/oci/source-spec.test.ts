import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSourceSpec } from '../../src/oci/source-spec.js';
import { isBosunError } from '../../src/errors.js';

const cases = [
  { arg: 'alpine:3.19', want: { kind: 'registry', reference: 'alpine:3.19' } },
  { arg: 'docker://ghcr.io/org/app:1', want: { kind: 'registry', reference: 'ghcr.io/org/app:1' } },
  { arg: 'oci:./layout', want: { kind: 'oci-layout', dir: './layout', selector: undefined } },
  { arg: 'oci:./layout:v1', want: { kind: 'oci-layout', dir: './layout', selector: 'v1' } },
  { arg: 'docker-archive:app.tar', want: { kind: 'docker-archive', file: 'app.tar', selector: undefined } },
  { arg: 'docker-archive:app.tar:app:1.2', want: { kind: 'docker-archive', file: 'app.tar', selector: 'app:1.2' } },
  { arg: 'localhost:5000/app:1', want: { kind: 'registry', reference: 'localhost:5000/app:1' } },
] as const;
for (const c of cases) test(`parseSourceSpec ${c.arg}`, () => assert.deepEqual(parseSourceSpec(c.arg), c.want));

test('--input names a tar (or - for stdin)', () => {
  assert.deepEqual(parseSourceSpec(undefined, '-'), { kind: 'docker-archive', file: '-' });
});

const bad = [
  { arg: undefined, input: undefined },
  { arg: 'app:1', input: 'x.tar' },
  { arg: 'oci:', input: undefined },
  { arg: 'docker-archive::x', input: undefined },
];
for (const c of bad) {
  test(`parseSourceSpec rejects ${JSON.stringify(c)}`, () => {
    assert.throws(() => parseSourceSpec(c.arg, c.input), (e) => isBosunError(e, 'INPUT_INVALID'));
  });
}
