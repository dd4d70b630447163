import { PackageURL } from 'packageurl-js';
import { BosunError } from '../../errors.js';
import type { ParseInput, ParseResult } from '../cataloger.js';
import { fileCataloger, newPackage } from '../cataloger.js';
import { sbomLimits } from '../limits.js';
import type { Package, Relationship } from '../model.js';

const name = 'dotnet-deps';

/** One NuGet package of a deps.json, with the `Name/Version` keys of its dependencies. */
export interface DepsLibrary {
  name: string;
  version: string;
  key: string;
  deps: string[];
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/** Library types that are NuGet packages; `project` is the app (or a project it references), `reference` a plain assembly. */
const packageTypes = new Set(['package', 'runtimepack']);

function splitKey(key: string): { name: string; version: string } | undefined {
  const slash = key.lastIndexOf('/');
  return slash > 0 && slash < key.length - 1 ? { name: key.slice(0, slash), version: key.slice(slash + 1) } : undefined;
}

/**
 * The NuGet packages a `*.deps.json` lists (spec: dotnet/sdk documentation/specs/runtime-configuration-file.md):
 * `libraries` keyed `Name/Version` with a `type`; dependencies come from the `runtimeTarget`'s
 * entry in `targets` (each `Name/Version` → `{ dependencies: { Name: Version } }`). Throws
 * SBOM_FILE_INVALID when the file is not JSON or has no `libraries`.
 */
export function parseDepsJson(text: string): DepsLibrary[] {
  let doc: Json | undefined;
  try {
    doc = obj(JSON.parse(text));
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `not JSON: ${(err as Error).message}`, { cause: err });
  }
  const libraries = obj(doc?.libraries);
  if (!doc || !libraries) throw new BosunError('SBOM_FILE_INVALID', 'not a .deps.json (no libraries)');
  const targetName = obj(doc.runtimeTarget)?.name;
  const target = obj(obj(doc.targets)?.[typeof targetName === 'string' ? targetName : '']) ?? {};
  const out: DepsLibrary[] = [];
  for (const [key, raw] of Object.entries(libraries)) {
    const parts = splitKey(key);
    const type = obj(raw)?.type;
    if (!parts || typeof type !== 'string' || !packageTypes.has(type)) continue;
    const deps = Object.entries(obj(obj(target[key])?.dependencies) ?? {}).map(([n, v]) => `${n}/${String(v)}`);
    out.push({ ...parts, key, deps });
  }
  if (out.length > sbomLimits.packagesPerFile) throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} libraries`);
  return out;
}

/** `pkg:nuget/<Name>@<Version>` (NuGet ids are case-insensitive; the purl keeps the case the file uses). */
export function nugetPurl(pkgName: string, version: string): string {
  return new PackageURL('nuget', undefined, pkgName, version, undefined, undefined).toString();
}

function parse({ entry, text }: ParseInput): ParseResult {
  const libs = parseDepsJson(text);
  const packages: Package[] = libs.map((l) => newPackage({ type: 'nuget', name: l.name, version: l.version, purl: nugetPurl(l.name, l.version), entry, foundBy: name }));
  const byKey = new Map(libs.map((l, i) => [l.key.toLowerCase(), packages[i] as Package]));
  const relationships: Relationship[] = libs.flatMap((l, i) => l.deps
    .map((d) => byKey.get(d.toLowerCase()))
    .filter((to): to is Package => to !== undefined && to !== packages[i])
    .map((to) => ({ from: (packages[i] as Package).id, to: to.id, type: 'depends-on' as const })));
  return { packages, relationships };
}

/** NuGet packages of .NET applications, from the `*.deps.json` the SDK writes beside each app. */
export const dotnetDepsCataloger = fileCataloger({
  name,
  version: 1,
  globs: ['**/*.deps.json'],
  maxBytes: sbomLimits.manifestBytes,
  parse,
});
