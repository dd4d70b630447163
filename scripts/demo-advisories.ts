// Builds the demo's bundled advisory set: the OSV records from ../shared/advisories that name a
// package of the sample image, reduced to facts (ids, aliases, affected ranges and versions,
// severities). Summaries, details, references and credits are dropped: the demo ships no
// descriptive text from elsewhere.
// Usage: node --import tsx scripts/demo-advisories.ts [--check]
//   --check  exit 1 when the committed set differs from what the shared data gives
import { readdir, readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleNpmDependencies } from './lib/sample-image.js';

const root = new URL('..', import.meta.url).pathname;
const shared = process.env.BOSUN_SHARED ?? resolve(root, '../shared');
const outDir = join(root, 'scripts', 'demo-data', 'advisories');

// The sample image's Debian layer comes from these source packages (see sample-debian.ts).
const debianSources = new Set(['base-files', 'netbase', 'zlib', 'openssl', 'ca-certificates', 'tzdata']);
const npmNames = new Set(Object.keys(sampleNpmDependencies));
const sourceDirs = ['nodejs-security-wg', 'ghsa-subset', 'debian-changelog'];

interface Affected {
  package?: { ecosystem?: string; name?: string; purl?: string };
  ranges?: unknown[];
  versions?: unknown[];
}
type Record = { [key: string]: unknown; id: string; affected?: Affected[] };

function wanted(a: Affected): boolean {
  const eco = a.package?.ecosystem ?? '';
  const name = a.package?.name ?? '';
  return (eco === 'npm' && npmNames.has(name)) || (eco === 'Debian:12' && debianSources.has(name));
}

/** The record with facts only, or undefined when it names none of the sample's packages. */
function factsOf(rec: Record): Record | undefined {
  const affected = (rec.affected ?? []).filter(wanted);
  if (affected.length === 0) return undefined;
  const severity = (rec.database_specific as { severity?: unknown } | undefined)?.severity;
  const keep: Record = { schema_version: rec.schema_version, id: rec.id, modified: rec.modified };
  for (const key of ['published', 'withdrawn', 'aliases', 'related', 'severity'] as const) if (rec[key] !== undefined) keep[key] = rec[key];
  keep.affected = affected.map((a) => ({
    package: a.package,
    ...(a.ranges ? { ranges: a.ranges } : {}),
    ...(a.versions ? { versions: a.versions } : {}),
  }));
  if (severity !== undefined) keep.database_specific = { severity };
  return keep;
}

async function collect(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const dir of sourceDirs) {
    const osvDir = join(shared, 'advisories', dir, 'osv');
    for (const name of (await readdir(osvDir)).filter((n) => n.endsWith('.json')).sort()) {
      const facts = factsOf(JSON.parse(await readFile(join(osvDir, name), 'utf8')) as Record);
      if (facts) files.set(`${facts.id}.json`, `${JSON.stringify(facts, null, 1)}\n`);
    }
  }
  return files;
}

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const files = await collect();
if (values.check) {
  const present = (await readdir(outDir)).sort();
  const same = present.length === files.size && (await Promise.all(present.map(async (n) => files.get(n) === (await readFile(join(outDir, n), 'utf8'))))).every(Boolean);
  if (!same) {
    console.error('scripts/demo-data/advisories is stale: run node --import tsx scripts/demo-advisories.ts');
    process.exit(1);
  }
} else {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  for (const [name, text] of files) await writeFile(join(outDir, name), text);
  console.log(`${files.size} records written to ${outDir}`);
}
