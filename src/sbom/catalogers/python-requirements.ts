import { PackageURL } from 'packageurl-js';
import { BosunError } from '../../errors.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage } from '../cataloger.js';
import { sbomLimits } from '../limits.js';
import { normalizePythonName } from './python.js';

const name = 'python-requirements';

/** A requirement pinned to exactly one version. */
export interface PinnedRequirement {
  name: string;
  version: string;
}

/** `name[extras] == version` and nothing else (one `==` specifier, no wildcard, no URL). */
const pinned = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*==(?!=)\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*$/;

/** Logical lines: `\` continuations joined, comments (`#` at the start or after whitespace) removed. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (line.endsWith('\\')) { pending += line.slice(0, -1); continue; }
    out.push(pending + line);
    pending = '';
  }
  if (pending) out.push(pending);
  return out;
}

/**
 * The pinned requirements of a pip requirements file (spec: pip docs, "Requirements File
 * Format"): option lines (`-r`, `-e`, `--index-url`…) are skipped, per-requirement options
 * (`--hash=…`) and environment markers (`; python_version < "3.8"`) are removed, extras are
 * ignored. Lines that do not pin one version (ranges, `~=`, `==1.*`, URLs, editable installs)
 * are skipped without a problem: they name no version. Throws LIMIT_EXCEEDED past
 * `sbomLimits.packagesPerFile` pins.
 */
export function parseRequirements(text: string): PinnedRequirement[] {
  const out: PinnedRequirement[] = [];
  for (const line of logicalLines(text)) {
    const req = line.replace(/\s--?[A-Za-z][\s\S]*$/, '').split(';')[0]?.trim() ?? '';
    if (!req || req.startsWith('-')) continue;
    const m = pinned.exec(req);
    if (m?.[1] && m[2]) out.push({ name: m[1], version: m[2] });
    if (out.length > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} requirements`);
  }
  return out;
}

function parse({ entry, text }: ParseInput): ParseResult {
  return {
    packages: parseRequirements(text).map((r) => newPackage({
      type: 'pypi', name: r.name, version: r.version, entry, foundBy: name,
      purl: new PackageURL('pypi', undefined, normalizePythonName(r.name), r.version, undefined, undefined).toString(),
    })),
  };
}

/**
 * Python packages pinned (`name==version`) in `requirements*.txt` files outside installed
 * package directories (site-packages, dist-packages, node_modules ship their own, describing
 * nothing installed).
 */
export const pythonRequirementsCataloger = fileCataloger({
  name,
  version: 1,
  globs: ['**/requirements*.txt'],
  maxBytes: sbomLimits.manifestBytes,
  accept: (path) => !/\/(site-packages|dist-packages|node_modules)\//.test(path),
  parse,
});
