import { PackageURL } from 'packageurl-js';
import { BosunError } from '../../errors.js';
import type { FileEntry } from '../../oci/types.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage } from '../cataloger.js';
import { joinExpressions, toSpdxExpression } from '../license.js';
import { sbomLimits } from '../limits.js';
import type { Package, Relationship } from '../model.js';

/** One Composer package as installed.json or composer.lock lists it. */
export interface ComposerPackage {
  name: string;
  version: string;
  isDev: boolean;
  licenses: string[];
  requires: string[];
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `not JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Composer names are `vendor/name`, lowercase by convention (composer validates the pattern). */
const composerName = /^[a-z0-9]([_.-]?[a-z0-9]+)*\/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$/i;

function toComposer(raw: unknown, isDev: boolean): ComposerPackage[] {
  const p = obj(raw);
  if (!p || typeof p.name !== 'string' || !composerName.test(p.name) || typeof p.version !== 'string' || !p.version) return [];
  const license = Array.isArray(p.license) ? p.license : typeof p.license === 'string' ? [p.license] : [];
  return [{
    name: p.name, version: p.version, isDev,
    licenses: license.filter((l): l is string => typeof l === 'string'),
    // platform requirements (php, ext-*, lib-*, composer-plugin-api) are not packages
    requires: Object.keys(obj(p.require) ?? {}).filter((r) => r.includes('/')),
  }];
}

function capped(items: ComposerPackage[]): ComposerPackage[] {
  if (items.length > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} packages`);
  return items;
}

/**
 * `vendor/composer/installed.json`: Composer 1 writes an array of packages, Composer 2 an object
 * `{ packages: [...], dev: bool, "dev-package-names": [...] }`; names in `dev-package-names` are
 * dev-only. Throws SBOM_FILE_INVALID for anything else.
 */
export function parseInstalledJson(text: string): ComposerPackage[] {
  const doc = readJson(text);
  if (Array.isArray(doc)) return capped(doc.flatMap((p) => toComposer(p, false)));
  const o = obj(doc);
  if (!o || !Array.isArray(o.packages)) throw new BosunError('SBOM_FILE_INVALID', 'not a Composer installed.json (neither an array nor { packages })');
  const dev = new Set(Array.isArray(o['dev-package-names']) ? o['dev-package-names'] : []);
  return capped(o.packages.flatMap((p) => toComposer(p, dev.has(obj(p)?.name))));
}

/** composer.lock: `packages` and `packages-dev` (dev-only). Throws SBOM_FILE_INVALID for anything else. */
export function parseComposerLock(text: string): ComposerPackage[] {
  const o = obj(readJson(text));
  if (!o || !Array.isArray(o.packages)) throw new BosunError('SBOM_FILE_INVALID', 'not a composer.lock (no packages array)');
  const dev = Array.isArray(o['packages-dev']) ? o['packages-dev'] : [];
  return capped([...o.packages.flatMap((p) => toComposer(p, false)), ...dev.flatMap((p) => toComposer(p, true))]);
}

/** `pkg:composer/<vendor>/<name>@<version>` (the version as Composer records it, `v` prefix included). */
export function composerPurl(fullName: string, version: string): string {
  const [vendor, pkgName] = fullName.split('/') as [string, string];
  return new PackageURL('composer', vendor, pkgName, version, undefined, undefined).toString();
}

function toResult(list: readonly ComposerPackage[], entry: FileEntry, foundBy: string): ParseResult {
  const packages: Package[] = list.map((c) => {
    const exprs = c.licenses.map((l) => toSpdxExpression(l)).filter((l): l is string => !!l);
    return newPackage({
      type: 'composer', name: c.name, version: c.version, purl: composerPurl(c.name, c.version), entry, foundBy,
      // Composer documents a license array as a disjunction (the user may pick one)
      licenses: exprs.length > 0 ? [joinExpressions(exprs, 'OR')] : [],
      metadata: { isDev: c.isDev, ...(c.licenses.length > 0 ? { rawLicense: c.licenses.join(', ') } : {}) },
    });
  });
  const by = new Map(packages.map((p) => [p.name.toLowerCase(), p]));
  const relationships: Relationship[] = list.flatMap((c, i) => c.requires
    .map((r) => by.get(r.toLowerCase()))
    .filter((to): to is Package => to !== undefined && to !== packages[i])
    .map((to) => ({ from: (packages[i] as Package).id, to: to.id, type: 'depends-on' as const })));
  return { packages, relationships };
}

/** PHP packages Composer installed (`vendor/composer/installed.json`, Composer 1 and 2). */
export const phpInstalledCataloger = fileCataloger({
  name: 'php-composer-installed',
  version: 1,
  globs: ['**/vendor/composer/installed.json'],
  maxBytes: sbomLimits.databaseBytes,
  parse: ({ entry, text }: ParseInput) => toResult(parseInstalledJson(text), entry, 'php-composer-installed'),
});

/** PHP packages a project's composer.lock pins (outside vendor directories). */
export const phpComposerLockCataloger = fileCataloger({
  name: 'php-composer-lock',
  version: 1,
  globs: ['**/composer.lock'],
  maxBytes: sbomLimits.databaseBytes,
  accept: (path) => !path.includes('/vendor/'),
  parse: ({ entry, text }: ParseInput) => toResult(parseComposerLock(text), entry, 'php-composer-lock'),
});
