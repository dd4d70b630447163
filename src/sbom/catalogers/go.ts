import { PackageURL } from 'packageurl-js';
import type { FileEntry, FileTree } from '../../oci/types.js';
import { newPackage } from '../cataloger.js';
import type { Package, PackageMetadata } from '../model.js';
import { regularFile, treeSource } from './byte-source.js';
import { cachedElf } from './elf-cache.js';
import { entryCataloger } from './entry-cataloger.js';
import type { GoBuildInfo, GoModule } from './go-buildinfo.js';
import { goLimits, readGoBuildInfo } from './go-buildinfo.js';
import { isLocalPath } from './go-mod.js';

/** The version Go records for a main module built from a checkout rather than a tagged module. */
export const develVersion = '(devel)';

/**
 * `pkg:golang/<module path>@<version>`. The last path element is the purl name and the rest its
 * namespace (`github.com/google/uuid` → namespace `github.com/google`). A `(devel)` or empty
 * version is left out: it names no release, and a purl version must match one to be useful.
 */
export function golangPurl(modulePath: string, version: string): string {
  const cut = modulePath.lastIndexOf('/');
  const ns = cut > 0 ? modulePath.slice(0, cut) : undefined;
  const v = version && version !== develVersion ? version : undefined;
  return new PackageURL('golang', ns, modulePath.slice(cut + 1), v, undefined, undefined).toString();
}

/** A module with its `=>` replacement applied; a directory replacement keeps the original path at `(devel)`. */
function effective(m: GoModule): { path: string; version: string } {
  if (!m.replace) return { path: m.path, version: m.version || develVersion };
  if (isLocalPath(m.replace.path)) return { path: m.path, version: develVersion };
  return { path: m.replace.path, version: m.replace.version || develVersion };
}

/** `go1.21.5` → `1.21.5`; `go1.22rc1 X:boringcrypto` → `1.22rc1`; `devel …` toolchains → undefined. */
export function stdlibVersion(goVersion: string): string | undefined {
  return /^go(\d+(?:\.\d+)*[A-Za-z0-9.-]*)(?:\s|$)/.exec(goVersion)?.[1];
}

const binaryName = 'go-binary';

/** The packages one build info describes: stdlib at the toolchain version, the main module, every dep. */
export function goBinaryPackages(info: GoBuildInfo, entry: FileEntry): Package[] {
  const setting = (k: string): string | undefined => info.settings.find((s) => s.key === k)?.value;
  const arch = setting('GOARCH');
  const meta: PackageMetadata = arch ? { arch } : {};
  const mk = (p: { path: string; version: string }, extra: PackageMetadata = {}): Package =>
    newPackage({ type: 'golang', name: p.path, version: p.version, purl: golangPurl(p.path, p.version), entry, foundBy: binaryName, metadata: { ...meta, ...extra } });
  const out: Package[] = [];
  const std = stdlibVersion(info.goVersion);
  if (std) out.push(newPackage({ type: 'golang', name: 'stdlib', version: std, purl: new PackageURL('golang', undefined, 'stdlib', std, undefined, undefined).toString(), entry, foundBy: binaryName, metadata: meta }));
  if (info.main) {
    const rev = setting('vcs.revision');
    out.push(mk(effective(info.main), rev ? { commit: rev } : {}));
  }
  for (const d of info.deps) out.push(mk(effective(d)));
  return out;
}

async function catalogBinary(tree: FileTree, entry: FileEntry): Promise<Package[]> {
  const file = await regularFile(tree, entry);
  const src = treeSource(tree, file, goLimits.maxInfoBytes + 1024 * 1024);
  try {
    const elf = await cachedElf(tree, entry, src);
    const info = elf && (await readGoBuildInfo(src, elf, `"${entry.path}"`));
    return info ? goBinaryPackages(info, entry) : [];
  } finally {
    src.close();
  }
}

/**
 * The executables scanned for Go build info. Every file would capture whole images, so this
 * covers where Go programs are installed: any `bin`/`sbin` directory (`/usr/local/bin`,
 * `/go/bin`, `/opt/x/bin`) and files directly in `/`, `/app` and `/ko-app` (distroless, ko and
 * operator images). A binary elsewhere (`/usr/lib/foo/helper`) is missed; naming its directory
 * here is the fix. Non-ELF files cost one read of 64 bytes.
 */
export const executableGlobs = ['*', '**/bin/*', '**/sbin/*', 'app/*', 'ko-app/*'] as const;

/**
 * Go binaries, recognised by content (the ELF magic, then Go's build info), never by name: the
 * toolchain as `pkg:golang/stdlib`, the main module, and every dependency with replacements applied.
 */
export const goBinaryCataloger = entryCataloger({
  name: binaryName,
  version: 1,
  globs: executableGlobs,
  catalogEntry: async (tree, entry) => ({ packages: await catalogBinary(tree, entry) }),
});

