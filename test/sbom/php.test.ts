// Debian packages PHP libraries unbundled (no vendor/composer/installed.json, no composer.lock), so
// these files are composed from the real packages' composer.json facts (monolog/monolog 3.5.0,
// psr/log 3.0.0, symfony/polyfill-mbstring v1.28.0, sebastian/diff 5.0.3); Debian's own composer
// (2.5.5, offline) is the reference reader.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isBosunError } from '../../src/errors.js';
import { composerPurl, parseComposerLock, parseInstalledJson, phpComposerLockCataloger, phpInstalledCataloger } from '../../src/sbom/catalogers/php.js';
import { dirTree } from '../helpers/dir-tree.js';
import { writeTree } from '../helpers/sbom-fixture.js';

const pkg = (name: string, version: string, license: string[], require: Record<string, string> = {}) => ({
  name, version, version_normalized: `${version.replace(/^v/, '')}.0`, type: 'library', license, require,
  dist: { type: 'zip', url: `https://api.github.com/repos/${name}/zipball/${version}`, reference: '0'.repeat(40), shasum: '' },
});
const monolog = pkg('monolog/monolog', '3.5.0', ['MIT'], { php: '>=8.1', 'psr/log': '^2.0 || ^3.0' });
const psrLog = pkg('psr/log', '3.0.0', ['MIT'], { php: '>=8.0.0' });
const polyfill = pkg('symfony/polyfill-mbstring', 'v1.28.0', ['MIT'], { php: '>=7.1' });
const diff = pkg('sebastian/diff', '5.0.3', ['BSD-3-Clause'], { php: '>=8.1' });

const composerJson = JSON.stringify({ name: 'acme/app', require: { 'monolog/monolog': '^3.5', 'symfony/polyfill-mbstring': '^1.28' }, 'require-dev': { 'sebastian/diff': '^5.0' } });
const composerLock = JSON.stringify({ 'content-hash': '0', packages: [monolog, psrLog, polyfill], 'packages-dev': [diff], aliases: [], 'minimum-stability': 'stable' });
const installedV2 = JSON.stringify({ packages: [monolog, psrLog, polyfill, diff].map((p) => ({ ...p, 'install-path': `../${p.name}` })), dev: true, 'dev-package-names': ['sebastian/diff'] });
const installedV1 = JSON.stringify([monolog, psrLog, polyfill]);

/** `composer show` in a project directory, offline: `name version` of each package, sorted. */
function composerShow(dir: string, args: string[]): string[] {
  const home = mkdtempSync(path.join(tmpdir(), 'bosun-composer-home-'));
  const out = execFileSync('composer', ['show', '--format=json', '--no-interaction', ...args], {
    cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, COMPOSER_HOME: home, HOME: home, COMPOSER_DISABLE_NETWORK: '1', COMPOSER_NO_INTERACTION: '1' },
  });
  const doc = JSON.parse(out) as { installed?: { name: string; version: string }[]; locked?: { name: string; version: string }[] };
  return (doc.installed ?? doc.locked ?? []).map((p) => `${p.name} ${p.version}`).sort();
}

const names = (list: { name: string; version: string; isDev: boolean }[], isDev?: boolean): string[] =>
  list.filter((p) => isDev === undefined || p.isDev === isDev).map((p) => `${p.name} ${p.version}`).sort();

test('composer.lock: packages and packages-dev as `composer show --locked` lists them', () => {
  const dir = writeTree({ 'composer.json': composerJson, 'composer.lock': composerLock });
  const got = parseComposerLock(composerLock);
  assert.deepEqual(names(got), composerShow(dir, ['--locked']));
  assert.deepEqual(names(got, false), composerShow(dir, ['--locked', '--no-dev']));
});

test('installed.json (Composer 2 form) as `composer show` lists it, dev packages marked', () => {
  // composer lists only packages whose install-path exists
  const installPaths = Object.fromEntries([monolog, psrLog, polyfill, diff].map((p) => [`vendor/${p.name}/composer.json`, JSON.stringify({ name: p.name })]));
  const dir = writeTree({ 'composer.json': composerJson, 'composer.lock': composerLock, 'vendor/composer/installed.json': installedV2, ...installPaths });
  const got = parseInstalledJson(installedV2);
  assert.deepEqual(names(got), composerShow(dir, []));
  assert.deepEqual(names(got, true), ['sebastian/diff 5.0.3']);
});

test('installed.json (Composer 1 array form)', () => {
  assert.deepEqual(names(parseInstalledJson(installedV1)), ['monolog/monolog 3.5.0', 'psr/log 3.0.0', 'symfony/polyfill-mbstring v1.28.0']);
});

const badCases = [
  { name: 'installed.json that is an object without packages', parse: parseInstalledJson, text: '{"dev": true}' },
  { name: 'composer.lock that is not JSON', parse: parseComposerLock, text: '{"packages": [' },
  { name: 'composer.lock without packages', parse: parseComposerLock, text: '{"content-hash": "0"}' },
] as const;
for (const c of badCases) test(`composer rejects ${c.name}`, () => assert.throws(() => c.parse(c.text), (e) => isBosunError(e, 'SBOM_FILE_INVALID')));

test('composer: malformed entries (bad names, no version) are skipped, not trusted', () => {
  const text = JSON.stringify({ packages: [{ name: '../../etc', version: '1' }, { name: 'a/b' }, { name: 'A/B', version: '1.0.0', license: 'MIT' }] });
  assert.deepEqual(parseComposerLock(text).map((p) => [p.name, p.licenses]), [['A/B', ['MIT']]]);
});

test('php catalogers: purls, dev flags, require links; vendor lockfiles skipped', async () => {
  const root = writeTree({
    'app/composer.lock': composerLock,
    'app/vendor/composer/installed.json': installedV2,
    'app/vendor/psr/log/composer.lock': composerLock,
  });
  const lock = await phpComposerLockCataloger.catalog(dirTree(root), {});
  const installed = await phpInstalledCataloger.catalog(dirTree(root), {});
  assert.deepEqual(lock.packages.map((p) => `${p.purl}${p.metadata.isDev ? ' dev' : ''}`), [
    'pkg:composer/monolog/monolog@3.5.0', 'pkg:composer/psr/log@3.0.0', 'pkg:composer/symfony/polyfill-mbstring@v1.28.0', 'pkg:composer/sebastian/diff@5.0.3 dev',
  ]);
  assert.equal(installed.packages.length, 4);
  const [mono, log] = installed.packages;
  assert.ok(mono && log && installed.relationships?.some((r) => r.from === mono.id && r.to === log.id));
  assert.equal(composerPurl('monolog/monolog', '3.5.0'), 'pkg:composer/monolog/monolog@3.5.0');
});
