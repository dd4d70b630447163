import type { LayerCache } from '../../oci/layer-cache.js';
import type { Image } from '../../oci/types.js';
import { generateSbom } from '../../sbom/generate.js';
import type { Sbom } from '../../sbom/model.js';

// The SBOM pass of the scan commands: the same code `bosun sbom` runs, so a scan and an SBOM of
// the same image agree package for package, and share the per-layer cache.

/**
 * Catalogs an image (each layer read once, or replayed from `layerCache`). Errors of squash and
 * catalog propagate (OCI_* codes, LIMIT_EXCEEDED, ABORTED).
 */
export async function sbomForImage(image: Image, name: string, signal?: AbortSignal, layerCache?: LayerCache): Promise<Sbom> {
  const { sbom } = await generateSbom({ kind: 'image', name, image }, { ...(signal ? { signal } : {}), ...(layerCache ? { layerCache } : {}) });
  return sbom;
}

/** Catalogs a directory (a project tree for `bosun fs`, an unpacked root for `bosun rootfs`). */
export async function sbomForDirectory(dir: string, signal?: AbortSignal): Promise<Sbom> {
  const { sbom } = await generateSbom({ kind: 'directory', name: dir, path: dir }, signal ? { signal } : {});
  return sbom;
}
