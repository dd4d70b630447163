import type { FileEntry, FileTree } from '../../oci/types.js';
import type { ByteSource } from './byte-source.js';
import type { Elf } from './elf.js';
import { readElf } from './elf.js';

// Several catalogers look at the same executables (Go build info, cargo-auditable data, runtime
// versions). The section table sits at the end of the file, so reading it means streaming the whole
// binary; this cache parses each file's headers once per tree. It holds only the parsed headers
// and is dropped with the tree.
const cache = new WeakMap<FileTree, Map<string, Promise<Elf | undefined>>>();

/**
 * The ELF headers of `entry` (undefined when it is not ELF), read through `src` the first time and
 * shared afterwards by every cataloger scanning the same tree. A malformed file rejects every caller
 * with the same error.
 */
export function cachedElf(tree: FileTree, entry: FileEntry, src: ByteSource): Promise<Elf | undefined> {
  let files = cache.get(tree);
  if (!files) cache.set(tree, (files = new Map()));
  const key = `${entry.layer ?? ''}\0${entry.path}`;
  let elf = files.get(key);
  if (!elf) files.set(key, (elf = readElf(src, `"${entry.path}"`)));
  return elf;
}
