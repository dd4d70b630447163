// Real advisories from shared/advisories (OSV JSON) as an in-memory AdvisorySource, and single
// records by id for hand-checked expectations.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Advisory } from '../../src/vuln/advisory.js';
import { loadOsvDirs, MemoryAdvisorySource, parseOsv } from '../../src/vuln/match/memory-source.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** shared/ beside the repository, or $BOSUN_SHARED. */
export const sharedDir = process.env.BOSUN_SHARED ?? path.resolve(repoRoot, '../shared');

export const advisoryDirs = ['debian-changelog', 'ghsa-subset', 'go-vulndb', 'nodejs-security-wg', 'pypa'] as const;
export type AdvisoryDir = (typeof advisoryDirs)[number];

export function osvDir(dir: AdvisoryDir): string {
  return path.join(sharedDir, 'advisories', dir, 'osv');
}

/** One real record, parsed. */
export function advisory(dir: AdvisoryDir, id: string): Advisory {
  const file = path.join(osvDir(dir), `${id}.json`);
  return parseOsv(readFileSync(file, 'utf8'), file);
}

/** A source over whole advisory directories (every record of each). */
export function loadSource(dirs: readonly AdvisoryDir[]): Promise<MemoryAdvisorySource> {
  return loadOsvDirs(dirs.map(osvDir));
}

/** A source over the given records. */
export function sourceOf(records: readonly Advisory[]): MemoryAdvisorySource {
  return new MemoryAdvisorySource(records);
}

/** The comparator the matcher tests use: the real per-ecosystem one. */
export { compareVersions as compareForTests } from '../../src/vuln/versions/index.js';
