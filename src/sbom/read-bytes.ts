import { BosunError } from '../errors.js';
import { readAll } from '../oci/read-all.js';
import type { FileEntry, FileTree } from '../oci/types.js';

/**
 * Reads a file of the tree as bytes (following a symlink or hard link), capped at `max`: for
 * binary databases, and text formats that may legitimately hold NUL bytes. Throws LIMIT_EXCEEDED
 * past the cap and SBOM_FILE_INVALID when the entry is not a regular file.
 */
export async function readBytes(tree: FileTree, entry: FileEntry, max: number): Promise<Buffer> {
  const target = entry.kind === 'file' ? entry : await tree.stat(entry.path);
  if (!target || target.kind !== 'file') throw new BosunError('SBOM_FILE_INVALID', `"${entry.path}": not a regular file`);
  if (target.size > max) throw new BosunError('LIMIT_EXCEEDED', `"${entry.path}": ${target.size} bytes, larger than the ${max}-byte limit`);
  return readAll(await tree.open(target), max, `"${entry.path}"`);
}
