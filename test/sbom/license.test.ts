import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isListedId, isValidExpression, licenseRef, splitConjunction, toSpdxExpression } from '../../src/sbom/license.js';

const cases = [
  { raw: 'MIT', want: 'MIT' },
  { raw: '(MIT OR Apache-2.0)', want: '(MIT OR Apache-2.0)' }, // already valid: kept
  { raw: 'GPL-2+', want: 'GPL-2.0-or-later' }, // Debian short name, "+" = or later
  { raw: 'GPL-2', want: 'GPL-2.0-only' },
  { raw: 'LGPL-2.1+', want: 'LGPL-2.1-or-later' }, // deprecated SPDX "+" form spelled out
  { raw: 'GPL-2.0 OR MIT', want: 'GPL-2.0-only OR MIT' },
  { raw: 'GPL-3+ or Artistic', want: 'GPL-3.0-or-later OR Artistic-1.0' }, // DEP-5 list; Debian's Artistic is 1.0
  { raw: 'LGPL-2.1+ and GPL-3', want: 'LGPL-2.1-or-later AND GPL-3.0-only' },
  { raw: 'Expat', want: 'MIT' },
  { raw: 'BSD-3-clause', want: 'BSD-3-Clause' }, // case-insensitive id
  { raw: 'public-domain', want: 'LicenseRef-public-domain' },
  { raw: 'BSD-variant', want: 'LicenseRef-BSD-variant' }, // spdx-correct would invent BSD-2-Clause
  { raw: 'GPL-2+ with Autoconf exception', want: 'LicenseRef-GPL-2-with-Autoconf-exception' }, // no guess drops the exception
  { raw: 'MIT License', want: 'MIT' },
  { raw: 'Apache License, Version 2.0', want: 'Apache-2.0' },
  { raw: 'Apache Software License', want: 'LicenseRef-Apache-Software-License' }, // no version: not guessed
  { raw: 'BSD License', want: 'LicenseRef-BSD-License' },
  { raw: 'SEE LICENSE IN LICENSE.md', want: 'LicenseRef-SEE-LICENSE-IN-LICENSE.md' },
  { raw: '  ', want: undefined },
] as const;

for (const c of cases) {
  test(`license ${JSON.stringify(c.raw)}`, () => {
    const got = toSpdxExpression(c.raw);
    assert.equal(got, c.want);
    if (got) assert.ok(isValidExpression(got), `${got} is a valid SPDX expression`);
  });
}

test('licenseRef keeps only idstring characters and never yields an empty ref', () => {
  assert.equal(licenseRef('a b/c'), 'LicenseRef-a-b-c');
  assert.equal(licenseRef('!!!'), 'LicenseRef-unknown');
  assert.ok(licenseRef('x'.repeat(500)).length <= 11 + 64);
});

test('isListedId is exact and case-sensitive (CycloneDX license.id takes only list ids)', () => {
  assert.equal(isListedId('MIT'), true);
  assert.equal(isListedId('mit'), false);
  assert.equal(isListedId('MIT OR ISC'), false);
  assert.equal(isListedId('LicenseRef-x'), false);
});

const splitCases = [
  { e: 'MIT', want: ['MIT'] },
  { e: 'MIT AND ISC', want: ['MIT', 'ISC'] },
  { e: 'GPL-2.0-or-later AND (MIT OR Apache-2.0)', want: ['GPL-2.0-or-later', 'MIT OR Apache-2.0'] },
  { e: '(MIT AND ISC) OR Zlib', want: ['(MIT AND ISC) OR Zlib'] }, // top level is OR: one license
] as const;
for (const c of splitCases) {
  test(`splitConjunction ${c.e}`, () => assert.deepEqual(splitConjunction(c.e), c.want));
}
