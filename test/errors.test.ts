import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BosunError, codes, redactUrl } from '../src/errors.js';
import { renderErrorDocs } from '../scripts/error-docs.js';

test('docs/errors.md matches the code table (regenerate with scripts/gen-error-docs.ts)', () => {
  assert.equal(readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8'), renderErrorDocs());
});

test('every code is AREA_WHAT and has a hint', () => {
  for (const [code, e] of Object.entries(codes)) {
    assert.match(code, /^[A-Z]+(_[A-Z0-9]+)*$/);
    assert.ok(e.hint.length > 10, code);
  }
});

test('BosunError carries code, hint and status', () => {
  const e = new BosunError('OCI_MANIFEST_UNKNOWN', 'manifest "x" not found');
  assert.equal(e.code, 'OCI_MANIFEST_UNKNOWN');
  assert.equal(e.status, 404);
  assert.equal(e.hint, codes.OCI_MANIFEST_UNKNOWN.hint);
});

const redactions = [
  { in: 'https://user:secret@example.com/v2/', want: 'https://example.com/v2/' },
  { in: 'https://example.com/v2/', want: 'https://example.com/v2/' },
  { in: 'not a url //tok@host/x', want: 'not a url //host/x' },
];
for (const c of redactions) test(`redactUrl ${c.in}`, () => assert.equal(redactUrl(c.in), c.want));
