import { PackageURL } from 'packageurl-js';
import { BosunError } from '../../errors.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage, problemOf } from '../cataloger.js';
import { isValidExpression, joinExpressions, toSpdxExpression } from '../license.js';
import { sbomLimits } from '../limits.js';
import type { OsRelease, Package, Problem, Relationship } from '../model.js';

const name = 'apk-db';

/** One record of the installed database (field letters as apk's own docs name them). */
export interface ApkEntry {
  name: string;
  version: string;
  arch?: string;
  origin?: string;
  license?: string;
  commit?: string;
  depends: string[];
  provides: string[];
  files: string[];
}

function newEntry(): ApkEntry {
  return { name: '', version: '', depends: [], provides: [], files: [] };
}

/** The bare name of a `D:`/`p:` token (`so:libc.musl-x86_64.so.1`, `busybox>=1.36`, `cmd:sh=1.36`). */
function tokenName(token: string): string {
  return token.split(/[<>=~]/)[0] ?? token;
}

function applyField(e: ApkEntry, key: string, value: string, dir: { current: string }): void {
  switch (key) {
    case 'P': e.name = value; break;
    case 'V': e.version = value; break;
    case 'A': e.arch = value; break;
    case 'o': e.origin = value; break;
    case 'L': e.license = value; break;
    case 'c': e.commit = value; break;
    case 'D': e.depends = value.split(/\s+/).filter((t) => t && !t.startsWith('!')).map(tokenName); break;
    case 'p': e.provides = value.split(/\s+/).filter(Boolean).map(tokenName); break;
    case 'F': dir.current = value; break;
    case 'R':
      if (e.files.length < sbomLimits.filesPerPackage) e.files.push(`/${dir.current ? `${dir.current}/` : ''}${value}`);
      break;
  }
}

/**
 * Parses apk's `lib/apk/db/installed`: records separated by blank lines, each line `X:value`
 * (spec: apk-tools doc "Installed Database" / apk-package(5) field letters). Records without
 * P or V become problems via the thrown SBOM_FILE_INVALID.
 */
export function parseApkInstalled(text: string): { entries: ApkEntry[]; errors: BosunError[] } {
  const entries: ApkEntry[] = [];
  const errors: BosunError[] = [];
  let e = newEntry();
  const dir = { current: '' };
  const flush = (): void => {
    if (e.name && e.version) entries.push(e);
    else if (e.name || e.version || e.files.length > 0) errors.push(new BosunError('SBOM_FILE_INVALID', `a record has no P: or V: line (name "${e.name}")`));
    e = newEntry();
    dir.current = '';
  };
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') { flush(); continue; }
    const m = /^([A-Za-z]):(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) throw new BosunError('SBOM_FILE_INVALID', `line ${i + 1} is not an apk "X:value" line`);
    applyField(e, m[1], m[2], dir);
    if (entries.length > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} records`);
  }
  flush();
  return { entries, errors };
}

/** Alpine's `L:` is an SPDX expression on new packages and a space-separated list on older ones. */
export function apkLicense(raw: string | undefined): string | undefined {
  if (!raw?.trim()) return undefined;
  if (isValidExpression(raw.trim())) return toSpdxExpression(raw);
  const parts = raw.trim().split(/\s+/).map((t) => toSpdxExpression(t)).filter((t): t is string => t !== undefined);
  return parts.length > 0 ? joinExpressions(parts, 'AND') : undefined;
}

/** `pkg:apk/<os id>/<name>@<version>?arch=…&distro=<id>-<version>&upstream=<origin>`. */
export function apkPurl(e: ApkEntry, os: OsRelease | undefined): string {
  const q: Record<string, string> = {};
  if (e.arch) q.arch = e.arch;
  if (os?.versionId) q.distro = `${os.id}-${os.versionId}`;
  if (e.origin && e.origin !== e.name) q.upstream = e.origin;
  return new PackageURL('apk', os?.id ?? 'alpine', e.name, e.version, q, undefined).toString();
}

function relationships(entries: readonly ApkEntry[], pkgs: readonly Package[]): Relationship[] {
  const by = new Map<string, Package>();
  entries.forEach((e, i) => by.set(e.name, pkgs[i] as Package));
  entries.forEach((e, i) => e.provides.forEach((p) => by.has(p) || by.set(p, pkgs[i] as Package)));
  return entries.flatMap((e, i) =>
    e.depends
      .map((d) => by.get(d))
      .filter((t): t is Package => t !== undefined && t !== pkgs[i])
      .map((t) => ({ from: (pkgs[i] as Package).id, to: t.id, type: 'depends-on' as const })),
  );
}

function parse({ entry, text, ctx }: ParseInput): ParseResult {
  const { entries, errors } = parseApkInstalled(text);
  const problems: Problem[] = errors.slice(0, 100).map((err) => problemOf(entry, err));
  const packages = entries.map((e) => {
    const license = apkLicense(e.license);
    return newPackage({
      type: 'apk', name: e.name, version: e.version, purl: apkPurl(e, ctx.os), entry, foundBy: name,
      licenses: license ? [license] : [],
      metadata: {
        ...(e.origin ? { sourceName: e.origin } : {}),
        ...(e.arch ? { arch: e.arch } : {}),
        ...(e.commit ? { commit: e.commit } : {}),
        ...(e.license ? { rawLicense: e.license } : {}),
        files: e.files,
      },
    });
  });
  return { packages, relationships: relationships(entries, packages), problems };
}

/** Alpine (and other apk-based) packages from the installed database. */
export const apkCataloger = fileCataloger({
  name,
  version: 1,
  globs: ['/lib/apk/db/installed'],
  maxBytes: sbomLimits.databaseBytes,
  parse,
});
