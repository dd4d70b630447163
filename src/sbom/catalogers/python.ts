import path from 'node:path';
import { PackageURL } from 'packageurl-js';
import { BosunError } from '../../errors.js';
import type { FileTree } from '../../oci/types.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage } from '../cataloger.js';
import { toSpdxExpression } from '../license.js';
import { sbomLimits } from '../limits.js';
import { readOptionalText } from '../read.js';

const name = 'python-installed';

/** Header fields of core metadata; multi-use fields (Classifier, Requires-Dist) keep every value. */
export type CoreMetadata = Map<string, string[]>;

/**
 * Parses Python core metadata (METADATA, PKG-INFO): RFC 822 style headers up to the first blank
 * line, continuation lines indented. spec: packaging.python.org core-metadata. Throws
 * SBOM_FILE_INVALID when a header line is malformed or Name/Version are missing.
 */
export function parseCoreMetadata(text: string): CoreMetadata {
  const fields: CoreMetadata = new Map();
  let last: string[] | undefined;
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      last[last.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) throw new BosunError('SBOM_FILE_INVALID', `line ${i + 1} is not a "Field: value" header`);
    const key = m[1].toLowerCase();
    last = fields.get(key) ?? [];
    last.push(m[2].trim());
    fields.set(key, last);
  }
  if (!fields.get('name')?.[0] || !fields.get('version')?.[0]) {
    throw new BosunError('SBOM_FILE_INVALID', 'core metadata has no Name or Version');
  }
  return fields;
}

/** PEP 503 normalised name: lowercase, runs of `-`, `_`, `.` collapsed to `-` (the purl rule too). */
export function normalizePythonName(n: string): string {
  return n.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * Licenses in order of authority: `License-Expression` (PEP 639), else a short one-line `License`
 * (long values are usually the whole license text), else `License ::` classifiers.
 */
export function pythonLicenses(f: CoreMetadata): string[] {
  const expr = f.get('license-expression')?.[0];
  if (expr) return [toSpdxExpression(expr)].filter((x): x is string => !!x);
  const lic = f.get('license')?.[0]?.trim();
  if (lic && !lic.includes('\n') && lic.length <= 80 && !/^(unknown|none|n\/a)$/i.test(lic)) {
    return [toSpdxExpression(lic)].filter((x): x is string => !!x);
  }
  return (f.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) => c.split('::').pop()?.trim() ?? '')
    .filter((c) => c && c !== 'OSI Approved')
    .map((c) => toSpdxExpression(c))
    .filter((x): x is string => !!x);
}

/** Owned files from RECORD (CSV `path,hash,size`), made absolute against site-packages. */
async function recordFiles(tree: FileTree, metadataPath: string): Promise<string[] | undefined> {
  const infoDir = path.posix.dirname(metadataPath);
  const text = await readOptionalText(tree, `${infoDir}/RECORD`, sbomLimits.auxBytes);
  if (text === undefined) return undefined;
  const sitePackages = path.posix.dirname(infoDir);
  return text
    .split(/\r?\n/)
    .map((l) => (l.startsWith('"') ? (/^"((?:[^"]|"")*)"/.exec(l)?.[1]?.replace(/""/g, '"') ?? '') : (l.split(',')[0] ?? '')))
    .filter(Boolean)
    .slice(0, sbomLimits.filesPerPackage)
    .map((p) => path.posix.resolve(sitePackages, p));
}

async function parse({ entry, text, tree }: ParseInput): Promise<ParseResult> {
  const f = parseCoreMetadata(text);
  const pkgName = f.get('name')?.[0] as string;
  const version = f.get('version')?.[0] as string;
  const files = entry.path.endsWith('/METADATA') ? await recordFiles(tree, entry.path) : undefined;
  const purl = new PackageURL('pypi', undefined, normalizePythonName(pkgName), version, undefined, undefined).toString();
  const raw = f.get('license-expression')?.[0] ?? f.get('license')?.[0];
  return {
    packages: [
      newPackage({
        type: 'pypi', name: pkgName, version, purl, entry, foundBy: name, licenses: pythonLicenses(f),
        metadata: { ...(raw && raw.length <= 200 ? { rawLicense: raw } : {}), ...(files ? { files } : {}) },
      }),
    ],
  };
}

/**
 * Installed Python distributions: `*.dist-info/METADATA` (wheels, pip) with RECORD for owned files,
 * and `*.egg-info/PKG-INFO` or a single-file `*.egg-info` (setuptools, many Debian python3-* debs).
 */
export const pythonCataloger = fileCataloger({
  name,
  version: 1,
  globs: ['**/*.dist-info/METADATA', '**/*.egg-info/PKG-INFO', '**/*.egg-info'],
  auxGlobs: ['**/*.dist-info/RECORD'],
  maxBytes: sbomLimits.manifestBytes,
  parse,
});
