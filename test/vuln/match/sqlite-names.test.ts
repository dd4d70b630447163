// The matcher and the SQLite database must normalise package names the same way: a name the
// database stored one way and the matcher asked for another would be a silent false negative.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Package, PackageType, Sbom } from '../../../src/sbom/model.js';
import { importDatabase, openDatabase } from '../../../src/vuln/db/index.js';
import { match } from '../../../src/vuln/match/match.js';
import { compareVersions } from '../../../src/vuln/versions/index.js';

const cases = [
  // legacy npm names are case-sensitive: the advisory and the package both say JSONStream
  { ecosystem: 'npm', advisoryName: 'JSONStream', type: 'npm', name: 'JSONStream', purl: 'pkg:npm/JSONStream@1.3.1' },
  // crates.io treats `-` and `_` (and case) as the same crate
  { ecosystem: 'crates.io', advisoryName: 'serde-json', type: 'cargo', name: 'serde_json', purl: 'pkg:cargo/serde_json@1.0.0' },
  // PEP 503: runs of -_. are one separator, case-insensitive
  { ecosystem: 'PyPI', advisoryName: 'Zope.Interface', type: 'pypi', name: 'zope-interface', purl: 'pkg:pypi/zope-interface@5.0.0' },
] as const;

for (const c of cases) {
  test(`a ${c.ecosystem} package named "${c.name}" matches an advisory for "${c.advisoryName}" through SQLite`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-names-'));
    const record = {
      schema_version: '1.6.0', id: `TEST-${c.ecosystem}`, modified: '2026-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: c.ecosystem, name: c.advisoryName }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99.0.0' }] }] }],
    };
    writeFileSync(path.join(dir, 'rec.json'), JSON.stringify(record));
    await importDatabase([path.join(dir, 'rec.json')], { dir: path.join(dir, 'db') });
    const { source } = await openDatabase({ dir: path.join(dir, 'db'), skipUpdate: true });
    try {
      const pkg: Package = { id: 'p', name: c.name, version: c.purl.split('@')[1]!, type: c.type as PackageType, purl: c.purl, licenses: [], locations: [{ path: '/x' }], foundBy: 'test', metadata: {} };
      const sbom: Sbom = { source: { kind: 'document', name: 'test' }, packages: [pkg], relationships: [], problems: [] };
      const { findings } = await match(sbom, source, { compare: compareVersions });
      assert.deepEqual(findings.map((f) => f.id), [`TEST-${c.ecosystem}`]);
    } finally {
      source.close();
    }
  });
}
