import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerEntry } from '../../src/oci/image-builder.js';

/**
 * Lists a directory tree as layer entries under `prefix` (e.g. `app/`), sorted by path so the
 * layer is reproducible. Regular files are read into memory: meant for fixture-sized trees.
 * Devices, sockets and fifos are skipped.
 */
export async function dirEntries(root: string, prefix = ''): Promise<LayerEntry[]> {
  const out: LayerEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const relPath = rel ? `${rel}/${name}` : name;
      const abs = join(root, relPath);
      const st = await lstat(abs);
      const mode = st.mode & 0o7777;
      const path = `${prefix}${relPath}`;
      if (st.isDirectory()) {
        out.push({ path: `${path}/`, type: 'dir', mode });
        await walk(relPath);
      } else if (st.isSymbolicLink()) {
        out.push({ path, type: 'symlink', linkTarget: await readlink(abs) });
      } else if (st.isFile()) {
        out.push({ path, type: 'file', mode, content: await readFile(abs) });
      }
    }
  };
  await walk('');
  return out;
}

/** The parent directories of `prefix` (`app/` → [`app/`]), for layers rooted below `/`. */
export function parentDirs(prefix: string): LayerEntry[] {
  const parts = prefix.split('/').filter(Boolean);
  return parts.map((_, i) => ({ path: `${parts.slice(0, i + 1).join('/')}/`, type: 'dir' as const }));
}
