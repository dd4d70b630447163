import type { FileTree } from '../../oci/types.js';
import { problemOf } from '../cataloger.js';
import { sbomLimits } from '../limits.js';
import type { OsRelease, Problem } from '../model.js';
import { readOptionalText } from '../read.js';

/** Release files in order of precedence (os-release(5): /etc wins over /usr/lib). */
const releaseFiles = [
  '/etc/os-release',
  '/usr/lib/os-release',
  '/etc/alpine-release',
  '/etc/debian_version',
  '/etc/redhat-release',
] as const;

/** The paths release detection reads; part of the union of globs the scan captures. */
export const osReleaseGlobs: readonly string[] = releaseFiles;

/**
 * Parses os-release(5) text: `KEY=value` lines, values optionally quoted with shell-style
 * escapes. Returns undefined when there is no `ID` (the spec defaults it to "linux", which tells
 * a scanner nothing).
 */
export function parseOsRelease(text: string): OsRelease | undefined {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) vars.set(m[1], unquote(m[2].trim()));
  }
  const id = vars.get('ID')?.toLowerCase();
  if (!id) return undefined;
  const idLike = vars.get('ID_LIKE')?.split(/\s+/).filter(Boolean);
  return compact({
    id,
    versionId: vars.get('VERSION_ID'),
    versionCodename: vars.get('VERSION_CODENAME'),
    prettyName: vars.get('PRETTY_NAME'),
    idLike: idLike && idLike.length > 0 ? idLike : undefined,
  });
}

function unquote(v: string): string {
  const q = v[0];
  if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) {
    const inner = v.slice(1, -1);
    return q === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return v;
}

/** `/etc/redhat-release`: "<Name> release <version> (<codename>)". */
export function parseRedhatRelease(text: string): OsRelease | undefined {
  const line = text.split(/\r?\n/)[0]?.trim() ?? '';
  const m = /^(.*?)\s+release\s+([0-9][^\s]*)(?:\s+\((.*)\))?/.exec(line);
  if (!m?.[1] || !m[2]) return undefined;
  const name = m[1].toLowerCase();
  const id = name.startsWith('red hat') ? 'rhel' : name.startsWith('centos') ? 'centos' : (name.split(/\s+/)[0] ?? name);
  return compact({ id, versionId: m[2], versionCodename: m[3]?.toLowerCase(), prettyName: line });
}

/** The first line of a one-line release file (`alpine-release`, `debian_version`). */
function firstLine(text: string): string | undefined {
  const v = text.split(/\r?\n/)[0]?.trim();
  return v ? v : undefined;
}

function parseReleaseFile(path: (typeof releaseFiles)[number], text: string): OsRelease | undefined {
  switch (path) {
    case '/etc/os-release':
    case '/usr/lib/os-release':
      return parseOsRelease(text);
    case '/etc/alpine-release': {
      const v = firstLine(text);
      return v ? { id: 'alpine', versionId: v } : undefined;
    }
    case '/etc/debian_version': {
      const v = firstLine(text);
      return v ? { id: 'debian', versionId: v } : undefined;
    }
    case '/etc/redhat-release':
      return parseRedhatRelease(text);
  }
}

/**
 * Detects the OS of a tree from the first release file that parses, in the order above.
 * Unreadable release files become problems; never throws except ABORTED-free I/O bugs.
 */
export async function findOsRelease(tree: FileTree): Promise<{ os?: OsRelease; problems: Problem[] }> {
  const problems: Problem[] = [];
  for (const path of releaseFiles) {
    try {
      const text = await readOptionalText(tree, path, sbomLimits.manifestBytes);
      const os = text === undefined ? undefined : parseReleaseFile(path, text);
      if (os) return { os, problems };
    } catch (err) {
      const entry = await tree.stat(path);
      problems.push(problemOf({ path, ...(entry?.layer ? { layer: entry.layer } : {}) }, err));
    }
  }
  return { problems };
}

function compact(o: { id: string } & Partial<Record<keyof OsRelease, unknown>>): OsRelease {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as unknown as OsRelease;
}
