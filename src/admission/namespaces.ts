import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { BosunError } from '../errors.js';

/**
 * Where namespace labels come from (for `namespaceSelector`). A lookup that fails must throw
 * ADMISSION_NAMESPACE_LOOKUP_FAILED; the handler then denies the request (fail closed), because
 * evaluating with no labels would silently skip namespaceSelector policies (CVE-2025-46342).
 */
export interface NamespaceLookup {
  labels(namespace: string, signal?: AbortSignal): Promise<Readonly<Record<string, string>>>;
}

const nameLabel = 'kubernetes.io/metadata.name';

/** Labels from a fixed map; every namespace also carries `kubernetes.io/metadata.name`. */
export function staticNamespaces(labels: Readonly<Record<string, Readonly<Record<string, string>>>>): NamespaceLookup {
  return {
    labels: async (ns) => ({ ...(labels[ns] ?? {}), [nameLabel]: ns }),
  };
}

const fileSchema = z.record(z.string(), z.record(z.string(), z.string()));

/** Reads `{ namespace: { label: value } }` (YAML or JSON) once; throws ADMISSION_CONFIG_INVALID. */
export async function namespacesFromFile(file: string): Promise<NamespaceLookup> {
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'), { maxAliasCount: 100 });
  } catch (err) {
    throw new BosunError('ADMISSION_CONFIG_INVALID', `namespaces file ${file} cannot be read`, { cause: err });
  }
  const r = fileSchema.safeParse(doc ?? {});
  if (!r.success) throw new BosunError('ADMISSION_CONFIG_INVALID', `namespaces file ${file}: expected a map of namespace to labels`);
  return staticNamespaces(r.data);
}

/** A lookup that always fails (an unreachable API server); for tests and as a fail-closed default. */
export function unavailableNamespaces(reason: string): NamespaceLookup {
  return {
    labels: async (ns) => {
      throw new BosunError('ADMISSION_NAMESPACE_LOOKUP_FAILED', `labels of namespace '${ns}': ${reason}`);
    },
  };
}
