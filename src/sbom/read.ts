import { BosunError } from '../errors.js';
import { readAll } from '../oci/read-all.js';
import type { FileEntry, FileTree } from '../oci/types.js';

/**
 * Reads a text file of the tree, capped at `max` bytes. Throws LIMIT_EXCEEDED past the cap and
 * SBOM_FILE_INVALID for binary content (a NUL byte), which no package metadata contains.
 */
export async function readText(tree: FileTree, entry: FileEntry, max: number): Promise<string> {
  const target = entry.kind === 'file' ? entry : await tree.stat(entry.path);
  if (!target || target.kind !== 'file') {
    throw new BosunError('SBOM_FILE_INVALID', `"${entry.path}": not a regular file`);
  }
  if (target.size > max) {
    throw new BosunError('LIMIT_EXCEEDED', `"${entry.path}": ${target.size} bytes, larger than the ${max}-byte limit`);
  }
  const raw = await readAll(await tree.open(target), max, `"${entry.path}"`);
  if (raw.includes(0)) throw new BosunError('SBOM_FILE_INVALID', `"${entry.path}": binary content, not text`);
  return raw.toString('utf8');
}

/** Like `readText` for a path that may be absent (undefined then). */
export async function readOptionalText(tree: FileTree, path: string, max: number): Promise<string | undefined> {
  const entry = await tree.stat(path);
  if (!entry || entry.kind !== 'file') return undefined;
  return readText(tree, entry, max);
}

/** Collects an async iterable (the tree's glob results are bounded by the squash captures). */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
