import type { KubeObject } from './model.js';
import { isPlainObject } from './pattern/operators.js';

/**
 * Kyverno's `images` context variable: every container image of a Pod (or of a controller's pod
 * template), keyed by container list and container name, split into registry, path, name, tag
 * and digest the way docker references are normalised (default registry `docker.io`, default
 * tag `latest` when there is no digest).
 */
export interface ImageInfo {
  readonly registry: string;
  readonly path: string;
  readonly name: string;
  readonly tag: string;
  readonly digest: string;
  readonly reference: string;
}

export type ImagesVariable = Record<string, Record<string, ImageInfo>>;

const LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** Splits an image reference; never throws (a malformed reference yields its text as path). */
export function parseImage(ref: string): ImageInfo {
  let rest = ref;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const registry = hasRegistry ? first : 'docker.io';
  const path = hasRegistry ? rest.slice(slash + 1) : rest;
  if (!tag && !digest) tag = 'latest';
  const name = path.slice(path.lastIndexOf('/') + 1);
  const reference = `${registry}/${path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { registry, path, name, tag, digest, reference };
}

/** The pod spec of a Pod, a pod controller, or a CronJob; undefined for other kinds. */
export function podSpec(o: KubeObject): Record<string, unknown> | undefined {
  const spec = o.spec;
  if (!isPlainObject(spec)) return undefined;
  if (o.kind === 'Pod') return spec;
  const template = o.kind === 'CronJob' ? dig(spec, ['jobTemplate', 'spec', 'template', 'spec']) : dig(spec, ['template', 'spec']);
  return isPlainObject(template) ? template : undefined;
}

/** Builds the `images` variable for a resource (empty object when it has no containers). */
export function imagesOf(o: KubeObject): ImagesVariable {
  const spec = podSpec(o);
  const out: ImagesVariable = {};
  if (!spec) return out;
  for (const list of LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    const byName: Record<string, ImageInfo> = {};
    for (const c of containers) {
      if (isPlainObject(c) && typeof c.name === 'string' && typeof c.image === 'string') byName[c.name] = parseImage(c.image);
    }
    if (Object.keys(byName).length > 0) out[list] = byName;
  }
  return out;
}

function dig(o: unknown, path: readonly string[]): unknown {
  let cur = o;
  for (const p of path) cur = isPlainObject(cur) ? cur[p] : undefined;
  return cur;
}
