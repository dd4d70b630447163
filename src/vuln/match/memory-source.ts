import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../errors.js';
import type { Advisory, AdvisoryQuery, AdvisorySource } from '../advisory.js';
import { decodeOsv, defaultOsvLimits } from '../db/osv.js';
import { normalizeName } from './ecosystem.js';

/**
 * Parses one OSV 1.x JSON record into the advisory model: the same codec the database import
 * uses (src/vuln/db/osv.ts), so fixtures and the database agree on every field and limit.
 * Throws `VULN_ADVISORY_INVALID` or `LIMIT_EXCEEDED`; `name` labels errors.
 */
export function parseOsv(json: string, name: string): Advisory {
  return decodeOsv(json, name);
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

  forPackages(queries: readonly AdvisoryQuery[]): Promise<Advisory[][]> {
    // release filtering is per affected entry, in the matcher; the index is by package only
    return Promise.resolve(queries.map((q) => this.#index.get(`${q.ecosystem}\0${q.name}`) ?? []));
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
      if ((await stat(f)).size > defaultOsvLimits.maxRecordBytes) throw new BosunError('LIMIT_EXCEEDED', `advisory file "${f}" is larger than ${defaultOsvLimits.maxRecordBytes} bytes`);
      advisories.push(parseOsv(await readFile(f, 'utf8'), path.basename(f)));
    }
  }
  return new MemoryAdvisorySource(advisories);
}
