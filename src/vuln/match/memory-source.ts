import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BosunError } from '../../errors.js';
import type { Advisory, AdvisorySource, RangeEvent } from '../advisory.js';
import { normalizeName } from './ecosystem.js';

const severity = z.object({ type: z.string(), score: z.string() });
const event = z.union([
  z.object({ introduced: z.string() }),
  z.object({ fixed: z.string() }),
  z.object({ last_affected: z.string() }),
  z.object({ limit: z.string() }),
]);
const record = z.object({
  id: z.string().min(1),
  modified: z.string(),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  related: z.array(z.string()).optional(),
  summary: z.string().optional(),
  severity: z.array(severity).optional(),
  affected: z.array(z.object({
    package: z.object({ ecosystem: z.string(), name: z.string(), purl: z.string().optional() }),
    ranges: z.array(z.object({ type: z.enum(['SEMVER', 'ECOSYSTEM', 'GIT']), events: z.array(event) })).optional(),
    versions: z.array(z.string()).optional(),
    severity: z.array(severity).optional(),
    ecosystem_specific: z.record(z.string(), z.unknown()).optional(),
    database_specific: z.record(z.string(), z.unknown()).optional(),
  })).optional(),
  references: z.array(z.object({ type: z.string(), url: z.string() })).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

/** Largest OSV record read (the biggest real ones are a few hundred KiB). */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/**
 * Parses one OSV 1.x JSON record into the advisory model (spec: osv-schema). Throws
 * `VULN_ADVISORY_INVALID` for a record that is not valid JSON of that shape; `name` labels errors.
 */
export function parseOsv(json: string, name: string): Advisory {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new BosunError('VULN_ADVISORY_INVALID', `advisory "${name}" is not JSON`, { cause: err });
  }
  const r = record.safeParse(raw);
  if (!r.success) throw new BosunError('VULN_ADVISORY_INVALID', `advisory "${name}" is not an OSV record: ${r.error.issues[0]?.message ?? ''}`);
  const d = r.data;
  return {
    id: d.id, modified: d.modified, aliases: d.aliases ?? [], related: d.related ?? [], severity: d.severity ?? [],
    ...(d.published ? { published: d.published } : {}),
    ...(d.withdrawn ? { withdrawn: d.withdrawn } : {}),
    ...(d.summary ? { summary: d.summary } : {}),
    affected: (d.affected ?? []).map((a) => ({
      ecosystem: a.package.ecosystem, name: a.package.name, ...(a.package.purl ? { purl: a.package.purl } : {}),
      ranges: (a.ranges ?? []).map((x) => ({ type: x.type, events: x.events as RangeEvent[] })),
      versions: a.versions ?? [], severity: a.severity ?? [],
      ...(a.ecosystem_specific ? { ecosystemSpecific: a.ecosystem_specific } : {}),
      ...(a.database_specific ? { databaseSpecific: a.database_specific } : {}),
    })),
    references: d.references ?? [],
    ...(d.database_specific ? { databaseSpecific: d.database_specific } : {}),
  };
}

/**
 * An `AdvisorySource` over advisories held in memory, indexed by (base ecosystem, release,
 * normalised name). Records without a release suffix answer every release; withdrawn records are
 * dropped on insert.
 */
export class MemoryAdvisorySource implements AdvisorySource {
  readonly #index = new Map<string, Advisory[]>();

  constructor(advisories: Iterable<Advisory>) {
    for (const a of advisories) this.add(a);
  }

  add(a: Advisory): void {
    if (a.withdrawn) return;
    const keys = new Set(a.affected.map((x) => {
      const i = x.ecosystem.indexOf(':');
      const base = i < 0 ? x.ecosystem : x.ecosystem.slice(0, i);
      return `${base}\0${normalizeName(base, x.name)}`;
    }));
    for (const k of keys) {
      const list = this.#index.get(k);
      if (list) list.push(a);
      else this.#index.set(k, [a]);
    }
  }

  forPackage(query: { ecosystem: string; release?: string; name: string }): Promise<Advisory[]> {
    // release filtering is per affected entry, in the matcher; the index is by package only
    return Promise.resolve(this.#index.get(`${query.ecosystem}\0${query.name}`) ?? []);
  }
}

async function jsonFiles(dir: string, depth: number): Promise<string[]> {
  if (depth > 4) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map(async (e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return jsonFiles(p, depth + 1);
    return e.isFile() && e.name.endsWith('.json') ? [p] : [];
  }));
  return nested.flat().sort();
}

/**
 * Loads every `*.json` OSV record under the given directories (up to 4 levels deep) into a
 * `MemoryAdvisorySource`. Throws `IO_FAILED` for an unreadable directory, `LIMIT_EXCEEDED` for an
 * oversized record and `VULN_ADVISORY_INVALID` for a malformed one.
 */
export async function loadOsvDirs(dirs: readonly string[]): Promise<MemoryAdvisorySource> {
  const advisories: Advisory[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = (await stat(dir)).isDirectory() ? await jsonFiles(dir, 0) : [dir];
    } catch (err) {
      throw new BosunError('IO_FAILED', `cannot read advisories from "${dir}"`, { cause: err });
    }
    for (const f of files) {
      if ((await stat(f)).size > MAX_RECORD_BYTES) throw new BosunError('LIMIT_EXCEEDED', `advisory file "${f}" is larger than ${MAX_RECORD_BYTES} bytes`);
      advisories.push(parseOsv(await readFile(f, 'utf8'), path.basename(f)));
    }
  }
  return new MemoryAdvisorySource(advisories);
}
