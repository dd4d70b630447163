import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BosunError } from '../../errors.js';
import type { FileTree } from '../../oci/types.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage, problemOf } from '../cataloger.js';
import { sbomLimits } from '../limits.js';
import type { Package, Problem } from '../model.js';
import { readOptionalText } from '../read.js';
import { isNpmName, npmPurl } from './npm-common.js';
import type { LockNode } from './npm-graph.js';
import { lockRelationships, reachable } from './npm-graph.js';

const name = 'yarn-lock';

/** `"@scope/name@^1.0.0"` / `name@npm:^1.0.0` → the package name (everything before the last `@`). */
function nameOfSpec(spec: string): string {
  const at = spec.indexOf('@', 1);
  return at > 0 ? spec.slice(0, at) : spec;
}

const unquote = (s: string): string => s.trim().replace(/^"(.*)"$/, '$1');

/**
 * Parses a yarn v1 lockfile (spec: yarn classic docs, yarn.lock): unindented `spec, spec:` headers,
 * two-space `version "x"` fields and four-space `name "range"` lines under `dependencies:`. Each
 * spec a header lists becomes a key for the same node, so dependencies resolve exactly.
 */
export function parseYarnV1(text: string): YarnLock {
  const bySpec = new Map<string, LockNode>();
  let current: LockNode | undefined;
  let inDeps = false;
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    if (!line.startsWith(' ')) {
      if (!line.endsWith(':')) throw new BosunError('SBOM_FILE_INVALID', `yarn.lock line ${i + 1}: expected "spec:"`);
      const specs = line.slice(0, -1).split(/,\s*/).map(unquote);
      current = { key: specs[0] ?? '', name: nameOfSpec(specs[0] ?? ''), version: '', deps: [] };
      for (const s of specs) bySpec.set(s, current);
      if (bySpec.size > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} yarn.lock entries`);
      inDeps = false;
      continue;
    }
    if (!current) throw new BosunError('SBOM_FILE_INVALID', `yarn.lock line ${i + 1}: field outside an entry`);
    const m = /^( +)("[^"]+"|\S+)\s*(.*)$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    if (m[1].length === 2) {
      inDeps = m[2] === 'dependencies:' || m[2] === 'optionalDependencies:';
      if (m[2] === 'version') current.version = unquote(m[3] ?? '');
    } else if (inDeps) {
      current.deps.push(`${unquote(m[2])}@${unquote(m[3] ?? '')}`);
    }
  }
  return uniqueNodes(bySpec);
}

/** yarn 2+ ("berry") lockfiles are YAML; `resolution: name@npm:1.2.3` names the package. */
export function parseYarnBerry(text: string): YarnLock {
  let doc: Record<string, unknown> | null;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 }) as Record<string, unknown> | null;
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `yarn.lock is not YAML: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new BosunError('SBOM_FILE_INVALID', 'yarn.lock is not a YAML mapping');
  const bySpec = new Map<string, LockNode>();
  for (const [header, raw] of Object.entries(doc ?? {})) {
    const e = raw as { version?: unknown; resolution?: unknown; dependencies?: Record<string, string> } | null;
    if (header === '__metadata' || !e || typeof e.version !== 'string' || typeof e.resolution !== 'string') continue;
    if (!/@npm:/.test(e.resolution)) continue; // workspace:, patch:, link: are not registry packages
    const specs = header.split(/,\s*/).map((s) => s.trim());
    const node: LockNode = { key: specs[0] ?? header, name: nameOfSpec(e.resolution), version: e.version, deps: Object.entries(e.dependencies ?? {}).map(([n, r]) => `${n}@${String(r).startsWith('npm:') ? r : `npm:${r}`}`) };
    for (const s of specs) bySpec.set(s, node);
  }
  return uniqueNodes(bySpec);
}

/** Lock nodes keyed by their first spec, and every spec (`name@range`) to that key. */
export interface YarnLock {
  nodes: Map<string, LockNode>;
  keyOfSpec: Map<string, string>;
}

/** Re-keys nodes by their first spec, resolving dependency specs to those keys. */
function uniqueNodes(bySpec: Map<string, LockNode>): YarnLock {
  const nodes = new Map<string, LockNode>();
  for (const n of bySpec.values()) nodes.set(n.key, n);
  for (const n of nodes.values()) n.deps = n.deps.map((d) => bySpec.get(d)?.key).filter((k): k is string => k !== undefined);
  return { nodes, keyOfSpec: new Map([...bySpec].map(([spec, n]) => [spec, n.key])) };
}

/** Production and dev roots from the package.json beside the lockfile, when there is one. */
async function projectRoots(tree: FileTree, lockPath: string, lock: YarnLock): Promise<{ prod: string[]; dev: string[] } | undefined> {
  const text = await readOptionalText(tree, path.posix.join(path.posix.dirname(lockPath), 'package.json'), sbomLimits.manifestBytes);
  if (text === undefined) return undefined;
  const m = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
  const keys = (field: string): string[] =>
    Object.entries(m[field] ?? {}).map(([n, r]) => lock.keyOfSpec.get(`${n}@${r}`) ?? lock.keyOfSpec.get(`${n}@npm:${r}`) ?? '').filter(Boolean);
  return { prod: [...keys('dependencies'), ...keys('optionalDependencies')], dev: keys('devDependencies') };
}

async function parse({ entry, text, tree }: ParseInput): Promise<ParseResult> {
  const lock = /^__metadata:/m.test(text) ? parseYarnBerry(text) : parseYarnV1(text);
  const nodes = lock.nodes;
  // a bad package.json only costs the dev flags: report it and go on
  const problems: Problem[] = [];
  const roots = await projectRoots(tree, entry.path, lock).catch((err: unknown) => {
    problems.push(problemOf({ path: path.posix.join(path.posix.dirname(entry.path), 'package.json'), ...(entry.layer ? { layer: entry.layer } : {}) }, err));
    return undefined;
  });
  const prod = roots ? reachable(nodes, roots.prod) : undefined;
  const byKey = new Map<string, Package>();
  for (const [key, n] of nodes) {
    if (!isNpmName(n.name) || !n.version) continue;
    byKey.set(key, newPackage({
      type: 'npm', name: n.name, version: n.version, purl: npmPurl(n.name, n.version), entry, foundBy: name,
      metadata: prod ? { isDev: !prod.has(key) } : {},
    }));
  }
  return { packages: [...byKey.values()], relationships: lockRelationships(nodes, byKey), problems };
}

/**
 * npm packages a yarn.lock pins (classic v1 and berry), outside node_modules. Dev-only packages
 * are marked when the project's package.json sits beside the lockfile.
 */
export const yarnLockCataloger = fileCataloger({
  name,
  version: 1,
  globs: ['**/yarn.lock'],
  auxGlobs: ['**/package.json'],
  maxBytes: sbomLimits.databaseBytes,
  accept: (p) => !p.includes('/node_modules/'),
  parse,
});
