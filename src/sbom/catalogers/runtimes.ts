import path from 'node:path';
import { PackageURL } from 'packageurl-js';
import type { FileEntry, FileTree } from '../../oci/types.js';
import { newPackage } from '../cataloger.js';
import type { Package } from '../model.js';
import { readText } from '../read.js';
import { scanRange, stringsRange } from './binary-scan.js';
import { regularFile, treeSource } from './byte-source.js';
import { cachedElf } from './elf-cache.js';
import { entryCataloger } from './entry-cataloger.js';

const name = 'runtime-binary';

/** Most bytes of one binary searched for a version string, and the largest text evidence file. */
export const runtimeLimits = { maxScanBytes: 256 * 1024 * 1024, maxTextBytes: 64 * 1024 } as const;

/**
 * How one runtime is recognised: which files (by path), and the version inside them. Binary
 * evidence is searched in `.rodata`; text evidence is read whole (it is small).
 */
interface Classifier {
  /** purl name (`pkg:generic/<purl>@<version>`) and Package name. */
  runtime: string;
  file: RegExp;
  kind: 'binary' | 'text';
  /** The version pattern; may depend on the path (python3.11 looks for `3.11.N`). */
  pattern(filePath: string): RegExp | undefined;
}

const pyVersion = (p: string): RegExp | undefined => {
  const mm = /python(\d+\.\d+)/.exec(path.posix.basename(p))?.[1];
  return mm ? new RegExp(`\\x00(${mm.replace('.', '\\.')}\\.\\d+(?:(?:a|b|rc)\\d+)?)\\x00`) : undefined;
};

/** Checked in order; the first whose `file` matches decides. */
const classifiers: readonly Classifier[] = [
  { runtime: 'node', file: /\/bin\/node$/, kind: 'binary', pattern: () => /node\.js\/v(\d+\.\d+\.\d+)/ },
  { runtime: 'python', file: /\/bin\/python\d+\.\d+$/, kind: 'binary', pattern: pyVersion },
  { runtime: 'python', file: /\/libpython\d+\.\d+m?\.so(?:\.[\d.]+)?$/, kind: 'binary', pattern: pyVersion },
  { runtime: 'python', file: /\/include\/python\d+\.\d+m?\/patchlevel\.h$/, kind: 'text', pattern: () => /^#define\s+PY_VERSION\s+"(\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)\+?"/m },
  { runtime: 'openssl', file: /(?:\/libcrypto\.so(?:\.[\d.]+)?|\/bin\/openssl)$/, kind: 'binary', pattern: () => /OpenSSL (\d+\.\d+\.\d+[a-z]?) +\d{1,2} [A-Z][a-z]{2} \d{4}/ },
  // a JDK/JRE `release` file (spec: JEP 223 and the OpenJDK make/ReleaseFile); IMPLEMENTOR is kept
  { runtime: 'openjdk', file: /\/release$/, kind: 'text', pattern: () => /^JAVA_VERSION="([0-9][0-9A-Za-z._+-]*)"/m },
];

async function versionOf(tree: FileTree, entry: FileEntry, c: Classifier): Promise<{ version: string; implementor?: string } | undefined> {
  const pattern = c.pattern(entry.path);
  if (!pattern) return undefined;
  const file = await regularFile(tree, entry);
  if (c.kind === 'text') {
    if (file.size > runtimeLimits.maxTextBytes) return undefined; // a big `release` file is some other program's
    const text = await readText(tree, file, runtimeLimits.maxTextBytes);
    const version = pattern.exec(text)?.[1];
    const implementor = /^IMPLEMENTOR="([^"\n]{1,100})"/m.exec(text)?.[1];
    return version ? { version, ...(implementor ? { implementor } : {}) } : undefined;
  }
  const src = treeSource(tree, file, 2 * 1024 * 1024);
  try {
    const elf = await cachedElf(tree, entry, src);
    if (!elf) return undefined;
    const version = await scanRange(src, stringsRange(elf, file.size, runtimeLimits.maxScanBytes), pattern);
    return version ? { version } : undefined;
  } finally {
    src.close();
  }
}

/** `pkg:generic/<runtime>@<version>`, as Syft's binary classifiers name node, python and openssl. */
export function runtimePurl(runtime: string, version: string): string {
  return new PackageURL('generic', undefined, runtime, version, undefined, undefined).toString();
}

async function classify(tree: FileTree, entry: FileEntry): Promise<Package | undefined> {
  const c = classifiers.find((x) => x.file.test(entry.path));
  const found = c && (await versionOf(tree, entry, c));
  if (!c || !found) return undefined;
  return newPackage({
    type: 'generic', name: c.runtime, version: found.version, purl: runtimePurl(c.runtime, found.version), entry, foundBy: name,
    metadata: found.implementor ? { sourceName: found.implementor } : {},
  });
}

/**
 * Language runtimes and OpenSSL installed outside any package manager (the official node, python
 * and openjdk images build them from source into /usr/local or /opt): node from the `node.js/vX`
 * string in `bin/node`; python from `bin/pythonX.Y`, `libpythonX.Y.so*` or `patchlevel.h`; openssl
 * from `libcrypto.so*` or `bin/openssl`; Java from a JDK/JRE `release` file. A file an OS package
 * owns is the OS package's: `skipOwnedFiles` has catalog() drop what dpkg or apk already lists.
 */
export const runtimeCataloger = entryCataloger({
  name,
  version: 1,
  skipOwnedFiles: true,
  globs: ['**/bin/node', '**/bin/python[0-9]*', '**/libpython[0-9]*.so*', '**/include/python[0-9]*/patchlevel.h', '**/libcrypto.so*', '**/bin/openssl', '**/release'],
  catalogEntry: async (tree, entry) => {
    const p = await classify(tree, entry);
    return { packages: p ? [p] : [] };
  },
});
