import { isBosunError } from '../../errors.js';
import type { FileEntry, FileTree } from '../../oci/types.js';
import type { Cataloger, CatalogResult } from '../cataloger.js';
import { problemOf, throwIfAborted } from '../cataloger.js';
import type { Package, Problem, Relationship } from '../model.js';
import { collect } from '../read.js';

export interface EntryCatalogerOptions {
  name: string;
  version: number;
  globs: readonly string[];
  skipOwnedFiles?: boolean;
  /** Reads one matched file through the tree (streamed, with its own bounds). */
  catalogEntry(tree: FileTree, entry: FileEntry): Promise<{ packages: Package[]; relationships?: Relationship[]; problems?: Problem[] }>;
}

/**
 * The cataloger for binary content, which `fileCataloger` (whole text files) does not suit: each
 * regular file or hard link matching `globs` is handed to `catalogEntry` in path order; whatever it
 * throws becomes a Problem located at the file, and the next file goes on. Throws only ABORTED.
 */
export function entryCataloger(opts: EntryCatalogerOptions): Cataloger {
  return {
    name: opts.name,
    version: opts.version,
    globs: opts.globs,
    ...(opts.skipOwnedFiles ? { skipOwnedFiles: true } : {}),
    async catalog(tree, ctx) {
      const out: CatalogResult = { packages: [], relationships: [], problems: [] };
      const entries = (await collect(tree.glob(opts.globs)))
        .filter((e) => e.kind === 'file' || e.kind === 'hardlink')
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const entry of entries) {
        throwIfAborted(ctx.signal);
        try {
          const r = await opts.catalogEntry(tree, entry);
          out.packages.push(...r.packages);
          out.relationships?.push(...(r.relationships ?? []));
          out.problems.push(...(r.problems ?? []));
        } catch (err) {
          if (isBosunError(err, 'ABORTED')) throw err;
          out.problems.push(problemOf(entry, err));
        }
      }
      return out;
    },
  };
}
