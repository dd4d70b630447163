import type { Digest } from '../oci/digest.js';
import { parseImage } from '../policy/images.js';

/** One RFC 6902 operation. */
export interface PatchOperation {
  readonly op: 'replace';
  readonly path: string;
  readonly value: string;
}

const LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** JSON pointer of the pod spec inside an object of `kind` (Pod, CronJob, or a pod controller). */
export function podSpecPointer(kind: string): string[] {
  if (kind === 'Pod') return ['spec'];
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  return ['spec', 'template', 'spec'];
}

/**
 * JSON Patch replacing each container image that was verified by tag with `image@digest` (the
 * digest that was verified, never a second lookup). `pins` is keyed by normalised reference, as
 * verifyImages saw it; the written image keeps its original spelling with the digest appended.
 */
export function digestPatch(object: Record<string, unknown>, pins: ReadonlyMap<string, Digest>): PatchOperation[] {
  if (pins.size === 0) return [];
  const base = podSpecPointer(String(object.kind ?? ''));
  let spec: unknown = object;
  for (const k of base) spec = (spec as Record<string, unknown> | undefined)?.[k];
  if (typeof spec !== 'object' || spec === null) return [];
  const ops: PatchOperation[] = [];
  for (const list of LISTS) {
    const containers = (spec as Record<string, unknown>)[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c: unknown, i) => {
      const image = (c as { image?: unknown } | null)?.image;
      if (typeof image !== 'string') return;
      const digest = pins.get(parseImage(image).reference);
      if (digest) ops.push({ op: 'replace', path: `/${[...base, list, String(i), 'image'].join('/')}`, value: `${image}@${digest}` });
    });
  }
  return ops;
}
