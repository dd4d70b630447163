import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeName, normalizeRelease, splitEcosystem } from '../../../src/vuln/db/ecosystem.js';

const splits = [
  { raw: 'Debian:12', want: { ecosystem: 'Debian', release: '12' } },
  { raw: 'Alpine:v3.19', want: { ecosystem: 'Alpine', release: '3.19' } }, // leading v dropped
  { raw: 'Ubuntu:22.04:LTS', want: { ecosystem: 'Ubuntu', release: '22.04' } }, // :LTS dropped
  { raw: 'Ubuntu:Pro:18.04:LTS', want: { ecosystem: 'Ubuntu', release: 'pro:18.04' } },
  { raw: 'Red Hat:enterprise_linux:9::appstream', want: { ecosystem: 'Red Hat', release: 'enterprise_linux:9::appstream' } },
  { raw: 'PyPI', want: { ecosystem: 'PyPI', release: '' } },
  { raw: 'crates.io', want: { ecosystem: 'crates.io', release: '' } },
] as const;
for (const c of splits) test(`splitEcosystem ${c.raw}`, () => assert.deepEqual(splitEcosystem(c.raw), c.want));

const names = [
  { eco: 'PyPI', name: 'Jinja2', want: 'jinja2' },
  { eco: 'PyPI', name: 'zope.interface', want: 'zope-interface' }, // PEP 503: . - _ runs fold to -
  { eco: 'PyPI', name: 'Foo__Bar-.baz', want: 'foo-bar-baz' },
  { eco: 'npm', name: 'JSONStream', want: 'JSONStream' }, // legacy mixed-case names are distinct
  { eco: 'npm', name: '@babel/core', want: '@babel/core' },
  { eco: 'Go', name: 'github.com/BurntSushi/toml', want: 'github.com/BurntSushi/toml' },
  { eco: 'Maven', name: 'org.yaml:snakeyaml', want: 'org.yaml:snakeyaml' },
  { eco: 'crates.io', name: 'Serde_JSON', want: 'serde-json' },
  { eco: 'NuGet', name: 'Newtonsoft.Json', want: 'newtonsoft.json' },
  { eco: 'Packagist', name: 'Symfony/HTTP-Kernel', want: 'symfony/http-kernel' },
  { eco: 'Debian', name: 'OpenSSL', want: 'openssl' },
  { eco: 'RubyGems', name: 'Rails', want: 'Rails' },
] as const;
for (const c of names) {
  test(`normalizeName ${c.eco} ${c.name}`, () => {
    assert.equal(normalizeName(c.eco, c.name), c.want);
    assert.equal(normalizeName(c.eco, c.want), c.want); // idempotent: the matcher may pass either
  });
}

test('normalizeRelease is idempotent and treats undefined as no release', () => {
  assert.equal(normalizeRelease('Alpine', normalizeRelease('Alpine', 'v3.19')), '3.19');
  assert.equal(normalizeRelease('Debian', undefined), '');
});
