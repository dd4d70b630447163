import { z } from 'zod';
import { BosunError } from '../errors.js';
import type { KubeObject } from './model.js';
import { isPlainObject } from './pattern/operators.js';
import type { Operation, PolicyRequest, RequestUser, SubresourceInfo } from './types.js';
import { setVariable } from './variables.js';

/**
 * Kyverno CLI `Values` (the test's `variables:` file) and `UserInfo` files, and how they turn
 * into a `PolicyRequest`. Kyverno only requires a non-empty apiVersion and kind (the upstream
 * suite has `kind: Value`), so bosun checks no more.
 */
const valueMap = z.record(z.string(), z.unknown());
const gvkName = z.looseObject({ group: z.string().nullish(), version: z.string().nullish(), kind: z.string(), name: z.string() });

export const valuesSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  globalValues: valueMap.nullish(),
  policies: z.array(z.looseObject({
    name: z.string(),
    rules: z.array(z.looseObject({ name: z.string(), values: valueMap.nullish() })).nullish(),
    resources: z.array(z.looseObject({ name: z.string(), values: valueMap.nullish() })).nullish(),
  })).nullish(),
  namespaceSelector: z.array(z.looseObject({ name: z.string(), labels: z.record(z.string(), z.string()).nullish() })).nullish(),
  subresources: z.array(z.looseObject({ parentResource: gvkName, subresource: gvkName })).nullish(),
});
export type Values = z.infer<typeof valuesSchema>;

export const userInfoFileSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  roles: z.array(z.string()).nullish(),
  clusterRoles: z.array(z.string()).nullish(),
  userInfo: z.looseObject({ username: z.string().nullish(), uid: z.string().nullish(), groups: z.array(z.string()).nullish() }).nullish(),
});

/** Validates a decoded values document. Throws `POLICY_INPUT_INVALID`. */
export function parseValues(doc: unknown, source: string): Values {
  const r = valuesSchema.safeParse(doc);
  if (!r.success) throw new BosunError('POLICY_INPUT_INVALID', `values '${source}' is invalid at ${r.error.issues[0]?.path.join('.') || '(root)'}: ${r.error.issues[0]?.message}`);
  return r.data;
}

/** Validates a decoded userinfo document. Throws `POLICY_INPUT_INVALID`. */
export function parseUserInfo(doc: unknown, source: string): RequestUser {
  const r = userInfoFileSchema.safeParse(doc);
  if (!r.success) throw new BosunError('POLICY_INPUT_INVALID', `userinfo '${source}' is invalid at ${r.error.issues[0]?.path.join('.') || '(root)'}: ${r.error.issues[0]?.message}`);
  const u = r.data;
  return {
    ...(u.userInfo?.username ? { username: u.userInfo.username } : {}),
    ...(u.userInfo?.uid ? { uid: u.userInfo.uid } : {}),
    groups: u.userInfo?.groups ?? [],
    roles: u.roles ?? [],
    clusterRoles: u.clusterRoles ?? [],
  };
}

export interface RequestOptions {
  readonly values?: Values;
  readonly user?: RequestUser;
  /** Overrides the operation from values (a test result's `operation:`). */
  readonly operation?: Operation;
}

/**
 * The request for `policyName` on `resource`: values (global, then per resource) become
 * context variables; `request.operation` sets the operation (default CREATE); values under
 * `request.object` / `request.oldObject` patch those objects, so they also affect matching.
 */
export function buildRequest(policyName: string, resource: KubeObject, opts: RequestOptions = {}): PolicyRequest {
  const v = opts.values;
  const name = resource.metadata?.name ?? '';
  const entries = (v?.policies ?? []).filter((p) => p.name === policyName);
  const variables: Record<string, unknown> = { ...(v?.globalValues ?? {}) };
  for (const p of entries) Object.assign(variables, p.resources?.find((r) => r.name === name)?.values ?? {});
  const ruleVariables: Record<string, Record<string, unknown>> = {};
  for (const p of entries) for (const r of p.rules ?? []) ruleVariables[r.name] = { ...(ruleVariables[r.name] ?? {}), ...(r.values ?? {}) };
  const scratch: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(variables)) setVariable(scratch, k, val);
  const req = isPlainObject(scratch.request) ? scratch.request : {};
  const op = opts.operation ?? toOperation(req.operation);
  const patched = merge(structuredClone(resource), req.object) as KubeObject;
  const oldPatch = req.oldObject;
  const oldResource = op === 'UPDATE' || op === 'DELETE' ? (merge(structuredClone(resource), oldPatch) as KubeObject) : isPlainObject(oldPatch) ? (oldPatch as KubeObject) : undefined;
  const ns = patched.metadata?.namespace ?? '';
  const subresource = findSubresource(v, patched);
  return {
    resource: patched,
    ...(oldResource ? { oldResource } : {}),
    operation: op,
    ...(opts.user ? { user: opts.user } : {}),
    namespaceLabels: v?.namespaceSelector?.find((n) => n.name === ns)?.labels ?? {},
    ...(subresource ? { subresource } : {}),
    variables: { ...variables, ...(opts.operation ? { 'request.operation': opts.operation } : {}) },
    ruleVariables,
  };
}

function toOperation(v: unknown): Operation {
  return v === 'UPDATE' || v === 'DELETE' || v === 'CONNECT' ? v : 'CREATE';
}

function merge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch) || !isPlainObject(base)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, val] of Object.entries(patch)) out[k] = merge(out[k], val);
  return out;
}

function findSubresource(v: Values | undefined, r: KubeObject): SubresourceInfo | undefined {
  const group = (r.apiVersion ?? '').includes('/') ? (r.apiVersion ?? '').split('/')[0] : '';
  const hit = v?.subresources?.find((s) => s.subresource.kind === r.kind && (s.subresource.group ?? '') === group);
  if (!hit) return undefined;
  return {
    parentGroup: hit.parentResource.group ?? '',
    parentVersion: hit.parentResource.version ?? '',
    parentKind: hit.parentResource.kind,
    name: hit.subresource.name.split('/').pop() ?? '',
  };
}
