import type { Digest } from '../../oci/digest.js';
import { parseManifest } from '../../oci/manifest.js';
import { isImageManifest, isIndex, layerCompression, MediaTypes } from '../../oci/media-types.js';

/** What scan-on-push does with a manifest. */
export type ScanCandidate =
  | { kind: 'image' }
  | { kind: 'index'; children: Digest[] }
  | { kind: 'skip'; reason: string };

const imageConfigTypes: ReadonlySet<string> = new Set([MediaTypes.ociConfig, MediaTypes.dockerConfig]);

/**
 * Decides whether a manifest is an image to scan. Skipped: anything with a `subject`
 * (signatures, SBOMs, attestations — including the ones the scanner attaches), an
 * `artifactType` or a config that is not an image config (artifacts), and manifests with a
 * layer that is not a tar (buildx attestation manifests). An index is not scanned itself:
 * its children were pushed, and scanned, before it; its verdict is theirs.
 */
export function scanCandidate(raw: Uint8Array): ScanCandidate {
  let parsed;
  try {
    parsed = parseManifest(raw, 'pushed manifest');
  } catch {
    return { kind: 'skip', reason: 'not a manifest bosun reads' };
  }
  if (parsed.kind === 'index') {
    if (parsed.index.subject) return { kind: 'skip', reason: 'has a subject' };
    const children = parsed.index.manifests.filter((d) => isImageManifest(d.mediaType) || isIndex(d.mediaType)).map((d) => d.digest);
    return { kind: 'index', children };
  }
  const m = parsed.manifest;
  if (m.subject) return { kind: 'skip', reason: 'has a subject' };
  if (m.artifactType !== undefined && !imageConfigTypes.has(m.artifactType)) return { kind: 'skip', reason: `artifact ${m.artifactType}` };
  if (!imageConfigTypes.has(m.config.mediaType)) return { kind: 'skip', reason: `config ${m.config.mediaType}` };
  if (m.layers.some((l) => layerCompression(l.mediaType) === undefined)) return { kind: 'skip', reason: 'has non-tar layers' };
  return { kind: 'image' };
}
