import type { ContextEntry, KubeObject } from './model.js';
import { imagesOf } from './images.js';
import { queryJmesPath } from './jmespath.js';
import { setVariable, substituteAll, substituteString } from './variables.js';
import type { PolicyRequest } from './types.js';

/**
 * The JSON document rule variables are evaluated against: `request` (operation, object,
 * oldObject, userInfo, roles, clusterRoles), `images`, `serviceAccountName`,
 * `serviceAccountNamespace`, then the request's extra variables. Fresh copy per call, so
 * callers may mutate it.
 */
export function baseContext(req: PolicyRequest, resource: KubeObject): Record<string, unknown> {
  const username = req.user?.username ?? '';
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  const data: Record<string, unknown> = structuredClone({
    request: {
      operation: req.operation,
      object: resource,
      oldObject: req.oldResource ?? (req.operation === 'DELETE' ? resource : null),
      userInfo: { username, groups: [...(req.user?.groups ?? [])], ...(req.user?.uid ? { uid: req.user.uid } : {}) },
      roles: [...(req.user?.roles ?? [])],
      clusterRoles: [...(req.user?.clusterRoles ?? [])],
      namespace: resource.metadata?.namespace ?? '',
    },
    images: imagesOf(resource),
    serviceAccountName: sa?.[2] ?? '',
    serviceAccountNamespace: sa?.[1] ?? '',
  });
  applyVariables(data, req.variables);
  return data;
}

/** Sets each (dotted) key of `vars` into `data`. */
export function applyVariables(data: Record<string, unknown>, vars: Readonly<Record<string, unknown>> | undefined): void {
  for (const [k, v] of Object.entries(vars ?? {})) setVariable(data, k, structuredClone(v));
}

export type ContextLoad = { readonly ok: true } | { readonly ok: false; readonly error: string };

/**
 * Loads a rule's `context` entries into `data`, in order (later entries see earlier ones).
 * Only `variable` entries are supported: the others need a cluster or a registry.
 */
export function loadContext(entries: readonly ContextEntry[] | null | undefined, data: Record<string, unknown>, isDelete: boolean): ContextLoad {
  for (const entry of entries ?? []) {
    if (!entry.variable) {
      const kind = Object.keys(entry).find((k) => k !== 'name') ?? 'unknown';
      return { ok: false, error: `context entry '${entry.name}' uses '${kind}', which needs a cluster; bosun supports only 'variable' entries` };
    }
    const r = loadVariable(entry.name, entry.variable, { data, isDelete });
    if (!r.ok) return r;
    data[entry.name] = r.value;
  }
  return { ok: true };
}

type VariableSpec = NonNullable<ContextEntry['variable']>;

function loadVariable(name: string, v: VariableSpec, ctx: { data: Record<string, unknown>; isDelete: boolean }): { ok: true; value: unknown } | { ok: false; error: string } {
  let value: unknown = null;
  let failure: string | undefined;
  const base = v.value !== undefined ? substituteAll(v.value, ctx) : { ok: true as const, value: undefined };
  if (!base.ok) failure = base.error;
  else if (v.jmesPath) {
    const expr = substituteString(v.jmesPath, ctx);
    if (!expr.ok) failure = expr.error;
    else {
      const q = queryJmesPath(String(expr.value), base.value === undefined ? ctx.data : base.value);
      if (q.ok) value = q.value;
      else failure = q.error;
    }
  } else value = base.value ?? null;
  if ((value === null || failure) && v.default !== undefined) {
    const d = substituteAll(v.default, ctx);
    return d.ok ? { ok: true, value: d.value } : d;
  }
  if (failure) return { ok: false, error: `context variable '${name}': ${failure}` };
  if (value === null) return { ok: false, error: `context variable '${name}' evaluated to null and has no default` };
  return { ok: true, value };
}
