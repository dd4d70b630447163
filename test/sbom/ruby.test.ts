import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isBosunError } from '../../src/errors.js';
import { gemPurl, parseGemfileLock, parseGemspec, rubyGemfileLockCataloger, rubyInstalledCataloger } from '../../src/sbom/catalogers/ruby.js';
import { debExtract } from '../helpers/debian.js';
import { dirTree } from '../helpers/dir-tree.js';
import { writeTree } from '../helpers/sbom-fixture.js';

const debs = ['ruby-rack', 'ruby-i18n', 'ruby-concurrent', 'ruby-nokogiri', 'ruby-json'] as const;
const specDirs = ['usr/share/rubygems-integration/all/specifications', 'usr/lib/x86_64-linux-gnu/rubygems-integration/3.1.0/specifications'];

/** What RubyGems itself loads from each gemspec (it evaluates the file; we only read it). */
function rubyTruth(files: string[]): string[] {
  const script = 'ARGV.each { |f| s = Gem::Specification.load(f); puts [s.name, s.version, s.licenses.join(","), s.runtime_dependencies.map(&:name).sort.join(",")].join("|") }';
  return execFileSync('ruby', ['-e', script, ...files], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

test('ruby-installed: Debian ruby-* gemspecs read as RubyGems reads them', async () => {
  const root = writeTree({});
  for (const d of debs) debExtract(d, root);
  const files = specDirs.flatMap((d) => readdirSync(path.join(root, d)).map((f) => path.join(root, d, f)));
  assert.ok(files.length >= 6);
  const want = rubyTruth(files);
  const got = files.map((f) => execFileSync('cat', [f])).map((b) => parseGemspec(b.toString('utf8')))
    .map((g) => [g.name, g.version, g.licenses.join(','), [...g.runtimeDeps].sort().join(',')].join('|')).sort();
  assert.deepEqual(got, want);
  const r = await rubyInstalledCataloger.catalog(dirTree(root), {});
  assert.deepEqual(r.problems, [], 'the json gemspec has NUL bytes in its stub line and is still read');
  assert.equal(r.packages.length, files.length);
  assert.ok(r.packages.some((p) => p.purl === 'pkg:gem/rack@2.2.22' && p.licenses[0] === 'MIT'));
});

const gemspecCases = [
  { name: 'single-quoted and escaped', text: `s.name = 'it\\'s'\ns.version = "1.0.0.pre"\ns.license = "Ruby"`, want: { name: "it's", version: '1.0.0.pre', licenses: ['Ruby'], runtimeDeps: [] } },
  { name: 'platform gem', text: 's.name = "nokogiri".freeze\ns.version = "1.15.5"\ns.platform = "x86_64-linux".freeze\ns.licenses = ["MIT".freeze]', want: { name: 'nokogiri', version: '1.15.5', platform: 'x86_64-linux', licenses: ['MIT'], runtimeDeps: [] } },
  { name: 'code is never run', text: 's.name = "x"\ns.version = "1"\nsystem("rm -rf /")\ns.licenses = [`id`]', want: { name: 'x', version: '1', licenses: [], runtimeDeps: [] } },
] as const;
for (const c of gemspecCases) test(`gemspec: ${c.name}`, () => assert.deepEqual(parseGemspec(c.text), c.want));

test('gemspec without a version is SBOM_FILE_INVALID', () => {
  assert.throws(() => parseGemspec('Gem::Specification.new do |s|\n  s.name = "x"\nend\n'), (e) => isBosunError(e, 'SBOM_FILE_INVALID'));
});

// Composed from rubygems.org facts (rails 7.0.8's actioncable and nokogiri's platform gems); Debian ships no Gemfile.lock.
const gemfileLock = `GIT
  remote: https://github.com/rails/sprockets-rails.git
  revision: 7c9c5c1a3a3c5e1c0cf4d8d7e3a4c8b2a1f0e9d8
  specs:
    sprockets-rails (3.4.2)
      actionpack (>= 5.2)

PATH
  remote: engines/billing
  specs:
    billing (0.1.0)

GEM
  remote: https://rubygems.org/
  specs:
    actioncable (7.0.8)
      actionpack (= 7.0.8)
      nio4r (~> 2.0)
    actionpack (7.0.8)
    nio4r (2.7.0)
    nokogiri (1.15.5-x86_64-linux)
      racc (~> 1.4)
    racc (1.7.3)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  actioncable (= 7.0.8)
  billing!
  sprockets-rails!

BUNDLED WITH
   2.4.22
`;

test('Gemfile.lock: GEM and GIT specs, PATH skipped, platforms split, dependencies linked', async () => {
  assert.deepEqual(parseGemfileLock(gemfileLock).map((g) => [g.name, g.version, g.platform ?? '', g.deps.join(',')]), [
    ['sprockets-rails', '3.4.2', '', 'actionpack'],
    ['actioncable', '7.0.8', '', 'actionpack,nio4r'],
    ['actionpack', '7.0.8', '', ''],
    ['nio4r', '2.7.0', '', ''],
    ['nokogiri', '1.15.5', 'x86_64-linux', 'racc'],
    ['racc', '1.7.3', '', ''],
  ]);
  const r = await rubyGemfileLockCataloger.catalog(dirTree(writeTree({ 'app/Gemfile.lock': gemfileLock, 'bad/Gemfile.lock': 'hello\n' })), {});
  assert.ok(r.packages.some((p) => p.purl === 'pkg:gem/nokogiri@1.15.5?platform=x86_64-linux'));
  assert.equal(r.relationships?.length, 4);
  assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['/bad/Gemfile.lock', 'SBOM_FILE_INVALID']]);
});

test('gem purl', () => assert.equal(gemPurl('rack', '2.2.22'), 'pkg:gem/rack@2.2.22'));
