import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBosunError } from '../../../src/errors.js';
import { comparatorFor, comparators, compareVersions, InvalidVersionError } from '../../../src/vuln/versions/index.js';

const routes = [
  ['Debian', 'Debian'],
  ['Debian:12', 'Debian'],
  ['Ubuntu', 'Debian'],
  ['Ubuntu:22.04:LTS', 'Debian'],
  ['Ubuntu:Pro:18.04:LTS', 'Debian'],
  ['Alpine:v3.19', 'Alpine'],
  ['Red Hat:enterprise_linux:9::appstream', 'Red Hat'],
  ['AlmaLinux:8', 'Red Hat'],
  ['Rocky Linux:9', 'Red Hat'],
  ['SUSE:SLES 15 SP5', 'Red Hat'],
  ['openSUSE:Leap 15.5', 'Red Hat'],
  ['npm', 'npm'],
  ['PyPI', 'PyPI'],
  ['Go', 'Go'],
  ['Maven', 'Maven'],
  ['RubyGems', 'RubyGems'],
  ['crates.io', 'crates.io'],
  ['NuGet', 'NuGet'],
  ['Packagist', 'Packagist'],
] as const;

for (const [name, want] of routes) {
  test(`ecosystem ${name} uses the ${want} comparator`, () => assert.equal(comparatorFor(name).ecosystem, want));
}

test('each comparator is registered once', () => {
  const names = comparators.map((c) => c.ecosystem);
  assert.deepEqual([...new Set(names)].sort(), [...names].sort());
  assert.equal(names.length, 11);
});

for (const name of ['', 'debian', 'Hackage', 'Debian12', ':Debian']) {
  test(`unknown ecosystem ${JSON.stringify(name)} is VULN_VERSION_INVALID`, () => {
    assert.throws(() => compareVersions(name, '1', '1'), { code: 'VULN_VERSION_INVALID' });
  });
}

test('InvalidVersionError is a BosunError carrying the ecosystem and version', () => {
  try {
    compareVersions('Debian:12', '1.0', 'not a version');
    assert.fail('expected a throw');
  } catch (err) {
    assert.ok(err instanceof InvalidVersionError);
    assert.ok(isBosunError(err, 'VULN_VERSION_INVALID'));
    assert.equal(err.ecosystem, 'Debian');
    assert.equal(err.version, 'not a version');
  }
});

test('isValid agrees with compare for every comparator', () => {
  for (const c of comparators) {
    for (const v of ['1.0.0', '1', 'v1.0', '1.0-1', '', 'x']) {
      const throws = (() => {
        try {
          c.compare(v, v);
          return false;
        } catch {
          return true;
        }
      })();
      assert.equal(c.isValid(v), !throws, `${c.ecosystem} ${JSON.stringify(v)}`);
    }
  }
});
