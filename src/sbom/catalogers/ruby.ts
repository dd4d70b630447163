import { PackageURL } from 'packageurl-js';
import { BosunError, isBosunError } from '../../errors.js';
import type { FileEntry } from '../../oci/types.js';
import type { CatalogResult, Cataloger, ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage, problemOf, throwIfAborted } from '../cataloger.js';
import { toSpdxExpression } from '../license.js';
import { sbomLimits } from '../limits.js';
import type { Package, Relationship } from '../model.js';
import { readBytes } from '../read-bytes.js';
import { collect } from '../read.js';

/** What an installed gemspec says about its gem. */
export interface Gemspec {
  name: string;
  version: string;
  platform?: string;
  licenses: string[];
  runtimeDeps: string[];
}

/** A Ruby string literal as `gem install` writes them: "…" (with escapes), '…', or %q<…>. */
const rubyString = String.raw`"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|%q<([^>]*)>`;

function unescapeDouble(s: string): string {
  return s.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.startsWith('u')) return String.fromCodePoint(parseInt(e.replace(/[u{}]/g, ''), 16));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0', e: '\x1b' } as Record<string, string>)[e] ?? e;
  });
}

/** Every string literal in `text`, unescaped. */
function strings(text: string): string[] {
  const out: string[] = [];
  const re = new RegExp(rubyString, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(m[1] !== undefined ? unescapeDouble(m[1]) : m[2] !== undefined ? m[2].replace(/\\([\\'])/g, '$1') : (m[3] ?? ''));
  }
  return out;
}

/** The right-hand side of `<var>.<attr> = …` (first occurrence), up to the end of its line. */
function assignment(text: string, attr: string): string | undefined {
  return new RegExp(String.raw`^[ \t]*\w+\.${attr}[ \t]*=[ \t]*(.*)$`, 'm').exec(text)?.[1];
}

/**
 * Reads the subset of Ruby that `gem install` writes into `specifications/*.gemspec`
 * (`s.name = "rack".freeze`, `s.version = "2.2.22"`, `s.licenses = ["MIT".freeze]`,
 * `s.add_runtime_dependency(%q<racc>.freeze, …)`), without evaluating anything. Throws
 * SBOM_FILE_INVALID when there is no name or version.
 */
export function parseGemspec(text: string): Gemspec {
  const first = (attr: string): string | undefined => {
    const rhs = assignment(text, attr);
    return rhs === undefined ? undefined : strings(rhs)[0];
  };
  const name = first('name');
  const version = first('version');
  if (!name || !version) throw new BosunError('SBOM_FILE_INVALID', 'gemspec has no s.name or s.version string');
  const platform = first('platform');
  const licenses = strings(assignment(text, 'licenses') ?? assignment(text, 'license') ?? '');
  const runtimeDeps = [...text.matchAll(new RegExp(String.raw`\.add_runtime_dependency\(\s*(?:${rubyString})`, 'g'))]
    .map((m) => m[1] ?? m[2] ?? m[3] ?? '').filter(Boolean);
  return { name, version, ...(platform && platform !== 'ruby' ? { platform } : {}), licenses, runtimeDeps: [...new Set(runtimeDeps)] };
}

/** `pkg:gem/<name>@<version>[?platform=…]`. */
export function gemPurl(gemName: string, version: string, platform?: string): string {
  return new PackageURL('gem', undefined, gemName, version, platform ? { platform } : undefined, undefined).toString();
}

function gemPackage(g: Gemspec, entry: FileEntry, foundBy: string): Package {
  const licenses = g.licenses.map((l) => toSpdxExpression(l)).filter((l): l is string => !!l);
  return newPackage({
    type: 'gem', name: g.name, version: g.version, purl: gemPurl(g.name, g.version, g.platform), entry, foundBy, licenses,
    metadata: g.licenses.length > 0 ? { rawLicense: g.licenses.join(', ') } : {},
  });
}

function gemDependencies(gems: readonly Gemspec[], pkgs: readonly Package[]): Relationship[] {
  const by = new Map(gems.map((g, i) => [g.name, pkgs[i] as Package]));
  return gems.flatMap((g, i) => g.runtimeDeps
    .map((d) => by.get(d))
    .filter((to): to is Package => to !== undefined && to !== pkgs[i])
    .map((to) => ({ from: (pkgs[i] as Package).id, to: to.id, type: 'depends-on' as const })));
}

const gemspecName = 'ruby-installed';
const gemspecGlobs = ['**/specifications/*.gemspec'];

/**
 * Installed gems: `**\/specifications/*.gemspec` (gem install, bundler, Debian's
 * rubygems-integration). Read as bytes: the `# stub:` header separates paths with NUL bytes.
 * Dependencies link gems installed side by side (runtime dependencies only).
 */
export const rubyInstalledCataloger: Cataloger = {
  name: gemspecName,
  version: 1,
  globs: gemspecGlobs,
  async catalog(tree, ctx): Promise<CatalogResult> {
    const entries = (await collect(tree.glob(gemspecGlobs))).filter((e) => e.kind !== 'dir' && e.kind !== 'other').sort((a, b) => (a.path < b.path ? -1 : 1));
    const gems: Gemspec[] = [];
    const packages: Package[] = [];
    const problems: CatalogResult['problems'] = [];
    for (const entry of entries) {
      throwIfAborted(ctx.signal);
      try {
        const g = parseGemspec((await readBytes(tree, entry, sbomLimits.manifestBytes)).toString('utf8'));
        gems.push(g);
        packages.push(gemPackage(g, entry, gemspecName));
      } catch (err) {
        if (isBosunError(err, 'ABORTED')) throw err;
        problems.push(problemOf(entry, err));
      }
    }
    return { packages, relationships: gemDependencies(gems, packages), problems };
  },
};

/** One spec of a Gemfile.lock, `name (version[-platform])`, with its dependency names. */
export interface LockedGem {
  name: string;
  version: string;
  platform?: string;
  deps: string[];
}

/**
 * The gems a Gemfile.lock pins: the `specs:` of its GEM and GIT sections (PATH sections are the
 * project's own gems). Specs sit at four spaces (`rack (2.2.8)`, `nokogiri (1.15.5-x86_64-linux)`),
 * their dependencies at six. spec: bundler's lockfile format (Bundler::LockfileParser).
 */
export function parseGemfileLock(text: string): LockedGem[] {
  const out: LockedGem[] = [];
  let section = '';
  for (const line of text.split(/\r?\n/)) {
    if (/^[A-Z]/.test(line)) { section = line.trim(); continue; }
    if (section !== 'GEM' && section !== 'GIT') continue;
    const spec = /^ {4}([^\s(]+) \(([^)\s]+)\)$/.exec(line);
    if (spec?.[1] && spec[2]) {
      const dash = spec[2].indexOf('-');
      const version = dash > 0 ? spec[2].slice(0, dash) : spec[2];
      out.push({ name: spec[1], version, ...(dash > 0 ? { platform: spec[2].slice(dash + 1) } : {}), deps: [] });
      if (out.length > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} gems`);
      continue;
    }
    const dep = /^ {6}([^\s(]+)/.exec(line);
    if (dep?.[1]) out.at(-1)?.deps.push(dep[1]);
  }
  if (out.length === 0 && !/^(GEM|GIT|PATH|PLATFORMS|DEPENDENCIES)$/m.test(text)) throw new BosunError('SBOM_FILE_INVALID', 'not a Gemfile.lock (no GEM, PLATFORMS or DEPENDENCIES section)');
  return out;
}

const lockName = 'ruby-gemfile-lock';

function parseLock({ entry, text }: ParseInput): ParseResult {
  const locked = parseGemfileLock(text);
  const gems: Gemspec[] = locked.map((l) => ({ name: l.name, version: l.version, ...(l.platform ? { platform: l.platform } : {}), licenses: [], runtimeDeps: l.deps }));
  const packages = gems.map((g) => gemPackage(g, entry, lockName));
  return { packages, relationships: gemDependencies(gems, packages) };
}

/** Gems a project's Gemfile.lock pins (outside installed gem directories). */
export const rubyGemfileLockCataloger = fileCataloger({
  name: lockName,
  version: 1,
  globs: ['**/Gemfile.lock'],
  maxBytes: sbomLimits.manifestBytes,
  accept: (path) => !/\/gems\/[^/]+\//.test(path),
  parse: parseLock,
});
