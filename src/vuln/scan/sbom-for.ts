import { rootfsTree } from '../../oci/rootfs.js';
import { squash } from '../../oci/squash.js';
import type { Image } from '../../oci/types.js';
import { catalog, catalogGlobs } from '../../sbom/catalog.js';
import type { Sbom } from '../../sbom/model.js';

// The SBOM pass of the scan commands. `bosun sbom` will get its own image entry point
// (src/sbom/scan-image.ts, in progress on another branch); until it lands this calls squash +
// catalog directly, and these two functions are the only place to switch over.

/**
 * Catalogs an image: squashes only the files the catalogers read (each layer read once), then
 * catalogs the tree. The squashed tree's spill directory is always removed. Errors of squash and
 * catalog propagate (OCI_* codes, LIMIT_EXCEEDED, ABORTED).
 */
export async function sbomForImage(image: Image, name: string, signal?: AbortSignal): Promise<Sbom> {
  const tree = await squash(image, catalogGlobs(), signal ? { signal } : {});
  try {
    const digest = await image.digest();
    return await catalog(tree, { source: { kind: 'image', name, digest }, ...(signal ? { signal } : {}) });
  } finally {
    await tree.close();
  }
}

/** Catalogs a directory (a project tree for `bosun fs`, an unpacked root for `bosun rootfs`). */
export async function sbomForDirectory(dir: string, signal?: AbortSignal): Promise<Sbom> {
  const tree = await rootfsTree(dir, catalogGlobs(), signal ? { signal } : {});
  try {
    return await catalog(tree, { source: { kind: 'directory', name: dir }, ...(signal ? { signal } : {}) });
  } finally {
    await tree.close();
  }
}
