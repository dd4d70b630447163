import { PackageURL } from 'packageurl-js';
import { BosunError } from '../../errors.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage } from '../cataloger.js';
import { sbomLimits } from '../limits.js';

const name = 'go-mod-file';

/** One `require` of a go.mod, after `replace` directives are applied. */
export interface GoModRequire {
  path: string;
  version: string;
  isIndirect: boolean;
}

interface Replace {
  from: string;
  fromVersion?: string;
  to: string;
  toVersion?: string;
}

/** A go.mod token: bare, or a Go string ("…" or `…`). */
function tokens(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    out.push(m[1] !== undefined ? unquote(m[1]) : (m[2] ?? m[3] ?? ''));
  }
  return out;
}

// Go's escapes are close enough to JSON's for module paths; one JSON rejects (`\g`) is a bad file.
function unquote(body: string): string {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `bad escape in quoted string "${body.slice(0, 80)}"`, { cause: err });
  }
}

/** Index of the first `//` outside a quoted string, or -1 (one pass: lines may be long). */
function commentStart(line: string): number {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === '`') quote = c;
    else if (c === '/' && line[i + 1] === '/') return i;
  }
  return -1;
}

/** Splits a line into its tokens and whether its comment says `// indirect`. */
function splitComment(line: string): { words: string[]; isIndirect: boolean } {
  const at = commentStart(line);
  const comment = at >= 0 ? line.slice(at + 2).trim() : '';
  return { words: tokens(at >= 0 ? line.slice(0, at) : line), isIndirect: /^indirect(;|$)/.test(comment) };
}

function applyDirective(verb: string, words: string[], isIndirect: boolean, out: { requires: GoModRequire[]; replaces: Replace[] }): void {
  if (verb === 'require' && words.length >= 2) {
    out.requires.push({ path: words[0] as string, version: words[1] as string, isIndirect });
  } else if (verb === 'replace') {
    const arrow = words.indexOf('=>');
    if (arrow < 1 || arrow > 2 || words.length < arrow + 2) throw new BosunError('SBOM_FILE_INVALID', `malformed replace: ${words.join(' ')}`);
    out.replaces.push({
      from: words[0] as string, ...(arrow === 2 ? { fromVersion: words[1] as string } : {}),
      to: words[arrow + 1] as string, ...(words[arrow + 2] ? { toVersion: words[arrow + 2] as string } : {}),
    });
  }
}

/** Reads `require` and `replace` directives, single-line and in `( … )` blocks. */
function directives(text: string): { module?: string; requires: GoModRequire[]; replaces: Replace[] } {
  const out: { module?: string; requires: GoModRequire[]; replaces: Replace[] } = { requires: [], replaces: [] };
  let block: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const { words, isIndirect } = splitComment(raw);
    if (words.length === 0) continue;
    if (block !== undefined) {
      if (words[0] === ')') block = undefined;
      else applyDirective(block, words, isIndirect, out);
      continue;
    }
    const [verb, ...rest] = words as [string, ...string[]];
    if (rest[0] === '(') block = verb;
    else if (verb === 'module' && rest[0]) out.module = rest[0];
    else applyDirective(verb, rest, isIndirect, out);
    if (out.requires.length > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} requires`);
  }
  if (block !== undefined) throw new BosunError('SBOM_FILE_INVALID', `unterminated ${block} block`);
  return out;
}

/** True for a `replace` target that is a local directory rather than a module. */
export const isLocalPath = (p: string): boolean => p.startsWith('./') || p.startsWith('../') || p.startsWith('/') || p === '.' || p === '..';

/**
 * The modules a go.mod requires, with `replace` applied as the go command does (a versioned
 * replace beats an unversioned one; a replacement by a local directory drops the module, since no
 * module version is built). spec: go.dev/ref/mod#go-mod-file. Throws SBOM_FILE_INVALID for an
 * unterminated block or malformed replace and LIMIT_EXCEEDED past `sbomLimits.packagesPerFile`.
 */
export function parseGoMod(text: string): { module?: string; requires: GoModRequire[] } {
  const d = directives(text);
  const requires: GoModRequire[] = [];
  for (const r of d.requires) {
    const rep = d.replaces.find((x) => x.from === r.path && x.fromVersion === r.version) ?? d.replaces.find((x) => x.from === r.path && x.fromVersion === undefined);
    if (!rep) requires.push(r);
    else if (!isLocalPath(rep.to) && rep.toVersion) requires.push({ path: rep.to, version: rep.toVersion, isIndirect: r.isIndirect });
  }
  return { ...(d.module ? { module: d.module } : {}), requires };
}

/** `pkg:golang/<module path>@<version>`: the path's last element is the name, the rest the namespace. */
export function goModulePurl(modulePath: string, version: string): string {
  const slash = modulePath.lastIndexOf('/');
  const namespace = slash > 0 ? modulePath.slice(0, slash) : undefined;
  return new PackageURL('golang', namespace, modulePath.slice(slash + 1), version, undefined, undefined).toString();
}

function parse({ entry, text }: ParseInput): ParseResult {
  const { requires } = parseGoMod(text);
  return {
    packages: requires.map((r) => newPackage({
      type: 'golang', name: r.path, version: r.version, purl: goModulePurl(r.path, r.version), entry, foundBy: name,
      metadata: { isIndirect: r.isIndirect },
    })),
  };
}

/**
 * Go modules a project's go.mod requires (direct and `// indirect`), replacements applied. The
 * module itself is not a dependency and is not listed; go.mod files of the module cache
 * (`/pkg/mod/`), vendored copies, Go's own sources (`/usr/lib/go-1.x/`, `/usr/local/go/`) and Debian's
 * `/usr/share/gocode/` library sources describe other modules and are skipped.
 */
export const goModCataloger = fileCataloger({
  name,
  version: 1,
  globs: ['**/go.mod'],
  maxBytes: sbomLimits.manifestBytes,
  accept: (path) => !/\/(pkg\/mod|vendor)\/|^\/usr\/(lib\/go[^/]*|local\/go|share\/gocode)\//.test(path),
  parse,
});
