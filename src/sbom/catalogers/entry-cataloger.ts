import type { FileEntry, FileTree } from '../../oci/types.js';
import type { Cataloger, ParseResult } from '../cataloger.js';
import { catalogEach } from '../cataloger.js';
import { collect } from '../read.js';

export interface EntryCatalogerOptions {
  name: string;
  version: number;
  globs: readonly string[];
  skipOwnedFiles?: boolean;
  /** Reads one matched file through the tree (streamed, with its own bounds). */
  catalogEntry(tree: FileTree, entry: FileEntry): Promise<ParseResult>;
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
      const entries = (await collect(tree.glob(opts.globs))).filter((e) => e.kind === 'file' || e.kind === 'hardlink');
      return catalogEach(entries, ctx.signal, (entry) => opts.catalogEntry(tree, entry));
    },
  };
}
