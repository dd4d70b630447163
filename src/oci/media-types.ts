/** OCI and Docker media types, spelled as the specs spell them. */
export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export type MediaType = string;

/** Media types that name a single-image manifest. */
export function isImageManifest(mt: string | undefined): boolean {
  return mt === MediaTypes.ociManifest || mt === MediaTypes.dockerManifest;
}

/** Media types that name an index of manifests. */
export function isIndex(mt: string | undefined): boolean {
  return mt === MediaTypes.ociIndex || mt === MediaTypes.dockerManifestList;
}

export function isSchema1(mt: string | undefined): boolean {
  return mt === MediaTypes.dockerSchema1 || mt === MediaTypes.dockerSchema1Signed || mt === 'application/json';
}

export type LayerCompression = 'none' | 'gzip' | 'zstd';

/**
 * The compression a layer media type declares, or undefined when the type is not a layer
 * bosun can read. Unknown `+gzip`/`+zstd` suffixes are accepted (artifact layers, foreign layers).
 */
export function layerCompression(mt: string): LayerCompression | undefined {
  if (mt === MediaTypes.dockerLayerGzip || mt === MediaTypes.dockerForeignLayerGzip) return 'gzip';
  if (mt.endsWith('.tar+gzip') || mt.endsWith('.tar.gzip')) return 'gzip';
  if (mt.endsWith('.tar+zstd')) return 'zstd';
  if (mt.endsWith('.tar')) return 'none';
  return undefined;
}

/** The manifest Accept header a client sends: every type bosun can read, best first. */
export const manifestAccept = [
  MediaTypes.ociIndex,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifestList,
  MediaTypes.dockerManifest,
].join(', ');
