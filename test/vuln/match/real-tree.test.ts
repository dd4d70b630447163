// The SBOM fixture root (real Debian bookworm packages installed by dpkg, python3-* debs, an npm
// project installed from the registry; see test/fixtures/sbom/build.ts) matched against every
// Debian, GHSA, PyPA and Node.js WG record in shared/advisories.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { rootfsTree } from '../../../src/oci/rootfs.js';
import { catalog, catalogGlobs } from '../../../src/sbom/catalog.js';
import type { Sbom } from '../../../src/sbom/model.js';
import type { MatchResult } from '../../../src/vuln/match/match.js';
import { match } from '../../../src/vuln/match/match.js';
import { ensureRootfs } from '../../fixtures/sbom/build.js';
import { compareForTests as compare, loadSource } from '../../helpers/memory-advisories.js';

let sbom: Sbom;
let result: MatchResult;

before(async () => {
  const root = ensureRootfs();
  const tree = await rootfsTree(root, catalogGlobs());
  sbom = await catalog(tree, { source: { kind: 'directory', name: 'fixture' } });
  result = await match(sbom, await loadSource(['debian-changelog', 'ghsa-subset', 'pypa', 'nodejs-security-wg']), { compare });
});

test('every finding offers a fix strictly above what is installed, or none', () => {
  assert.ok(result.findings.length > 0);
  for (const f of result.findings) {
    for (const v of f.fixedVersions) assert.ok(compare(f.ecosystem, v, f.installedVersion) > 0, `${f.id} ${f.package.name}: ${v} > ${f.installedVersion}`);
    assert.equal(f.fixedVersion !== undefined, f.status === 'fixed');
  }
});

test('Debian packages are matched at their source version within Debian:12 only', () => {
  for (const f of result.findings.filter((x) => x.package.type === 'deb')) {
    assert.equal(f.ecosystem, 'Debian:12');
    const p = sbom.packages.find((x) => x.id === f.package.id)!;
    assert.equal(f.installedVersion, p.metadata.sourceVersion ?? p.version);
  }
});

// python3-idna and python3-urllib3 from bookworm install idna 3.3 and urllib3 1.26.12 (Debian keeps
// the upstream version in the dist-info across its +deb12uN security updates)
const pythonCases = [
  { pkg: 'idna', id: 'CVE-2024-3651', fixed: '3.7' }, // PYSEC-2024-60: introduced 0, fixed 3.7
  { pkg: 'urllib3', id: 'CVE-2023-43804', fixed: '1.26.17' }, // GHSA-v845 / PYSEC-2023-192: fixed 1.26.17 (and 2.0.6 on 2.x)
] as const;
for (const c of pythonCases) {
  test(`python ${c.pkg}: ${c.id} fixed in ${c.fixed}`, () => {
    const f = result.findings.find((x) => x.package.type === 'pypi' && x.package.name === c.pkg && x.id === c.id);
    assert.ok(f, `${c.pkg} ${c.id}`);
    assert.equal(f.fixedVersion, c.fixed);
  });
}

test('no vulnerability is reported twice for one package', () => {
  const seen = new Set<string>();
  for (const f of result.findings) {
    for (const id of [f.id, ...f.aliases]) {
      const key = `${f.package.id} ${id}`;
      assert.ok(!seen.has(key), `duplicate ${key}`);
      seen.add(key);
    }
  }
});
