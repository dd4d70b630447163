import type { Digest } from './digest.js';
import type { HistoryEntry, Image, Platform } from './types.js';

/** What `bosun inspect` reports; the JSON output is this object (`schemaVersion` 1). */
export interface InspectReport {
  schemaVersion: 1;
  name: string;
  digest: Digest;
  mediaType: string;
  /** The index the image was selected from, when there was one, and the platforms it offers. */
  index?: { digest: Digest; platforms: string[] };
  platform: Platform;
  created?: string;
  author?: string;
  config: {
    digest: Digest;
    user?: string;
    workingDir?: string;
    entrypoint?: string[];
    cmd?: string[];
    env?: string[];
    labels?: Record<string, string>;
    exposedPorts?: string[];
  };
  layers: Array<{ digest: Digest; diffId: Digest; mediaType: string; size: number }>;
  /** Compressed bytes of all layers. */
  totalSize: number;
  history: HistoryEntry[];
}

/** Reads what `inspect` shows: manifest and config only, never a layer. */
export async function inspectImage(image: Image, opts: { name: string; index?: InspectReport['index'] }): Promise<InspectReport> {
  const [digest, manifest, config] = await Promise.all([image.digest(), image.manifest(), image.config()]);
  const c = config.config ?? {};
  const layers = manifest.layers.map((d, i) => ({ digest: d.digest, diffId: config.rootfs.diff_ids[i]!, mediaType: d.mediaType, size: d.size }));
  const platform: Platform = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
  return {
    schemaVersion: 1,
    name: opts.name,
    digest,
    mediaType: manifest.mediaType,
    ...(opts.index ? { index: opts.index } : {}),
    platform,
    ...(config.created ? { created: config.created } : {}),
    ...(config.author ? { author: config.author } : {}),
    config: {
      digest: manifest.config.digest,
      ...(c.User ? { user: c.User } : {}),
      ...(c.WorkingDir ? { workingDir: c.WorkingDir } : {}),
      ...(c.Entrypoint ? { entrypoint: c.Entrypoint } : {}),
      ...(c.Cmd ? { cmd: c.Cmd } : {}),
      ...(c.Env ? { env: c.Env } : {}),
      ...(c.Labels ? { labels: c.Labels } : {}),
      ...(c.ExposedPorts ? { exposedPorts: Object.keys(c.ExposedPorts).sort() } : {}),
    },
    layers,
    totalSize: layers.reduce((n, l) => n + l.size, 0),
    history: config.history ?? [],
  };
}
