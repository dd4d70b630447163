import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Package, Sbom } from '../../../src/sbom/model.js';
import { scanSbom } from '../../../src/vuln/scan/scan.js';
import { advisory, sourceOf } from '../../helpers/memory-advisories.js';

function pkg(name: string, version: string): Package {
  return { id: name, name, version, type: 'npm', purl: `pkg:npm/${name}@${version}`, licenses: [], locations: [{ path: `/app/node_modules/${name}/package.json` }], foundBy: 'test', metadata: {} };
}

const sbom: Sbom = { source: { kind: 'directory', name: 'app' }, packages: [pkg('lodash', '4.17.15'), pkg('ms', '2.1.3')], relationships: [], problems: [] };
const opts = { scannerVersion: '0.0.0', db: { kind: 'test' }, now: () => new Date('2026-11-22T00:00:00Z') };

test('--list-all-pkgs lists every package of the target, vulnerable or not', async () => {
  const source = sourceOf([advisory('nodejs-security-wg', 'NSWG-ECO-516')]); // lodash [4.17.15, 4.17.19)
  const all = await scanSbom(sbom, source, { ...opts, listAllPackages: true });
  assert.deepEqual(all.results.map((r) => [r.target, r.packages?.map((p) => p.name)]), [['Node.js', ['lodash', 'ms']]]);
  const plain = await scanSbom(sbom, source, opts);
  assert.equal(plain.results[0]?.packages, undefined);
  assert.deepEqual(plain.summary, { UNKNOWN: 0, LOW: 0, MEDIUM: 1, HIGH: 0, CRITICAL: 0, total: 1, suppressed: 0 });
});

test('no findings and no packages listed: no results', async () => {
  const r = await scanSbom(sbom, sourceOf([]), opts);
  assert.deepEqual(r.results, []);
  assert.equal(r.summary.total, 0);
});
