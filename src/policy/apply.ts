import { evaluatePolicy } from './engine.js';
import { parsePolicies, parseResources, parseYamlDocuments, readTextFile } from './load.js';
import type { KubeObject, Policy } from './model.js';
import type { RuleResult } from './types.js';
import { buildRequest, parseUserInfo, parseValues } from './values.js';
import type { Values } from './values.js';
import type { RequestUser } from './types.js';

/** Inputs of `bosun policy apply` (like `kyverno apply`). */
export interface ApplyOptions {
  readonly policyFiles: readonly string[];
  readonly resourceFiles: readonly string[];
  /** A Kyverno CLI values file (`kind: Values`). */
  readonly valuesFile?: string;
  /** A Kyverno CLI userinfo file (`kind: UserInfo`). */
  readonly userInfoFile?: string;
}

export interface ApplyRow {
  /** `kind/namespace/name` (namespace omitted when empty). */
  readonly resource: string;
  readonly result: RuleResult;
}

/**
 * Applies every policy to every resource and returns one row per rule result.
 * Throws `IO_FAILED`, `LIMIT_EXCEEDED`, `POLICY_INVALID` or `POLICY_INPUT_INVALID` for unreadable
 * or malformed inputs; rule outcomes (including `error`) are rows, never throws.
 */
export async function applyPolicies(opts: ApplyOptions): Promise<ApplyRow[]> {
  const policies: Policy[] = [];
  for (const f of opts.policyFiles) policies.push(...parsePolicies(await readTextFile(f), f));
  const resources: KubeObject[] = [];
  for (const f of opts.resourceFiles) resources.push(...parseResources(await readTextFile(f), f));
  let values: Values | undefined;
  if (opts.valuesFile) values = parseValues(parseYamlDocuments(await readTextFile(opts.valuesFile), opts.valuesFile, 'POLICY_INPUT_INVALID')[0], opts.valuesFile);
  let user: RequestUser | undefined;
  if (opts.userInfoFile) user = parseUserInfo(parseYamlDocuments(await readTextFile(opts.userInfoFile), opts.userInfoFile, 'POLICY_INPUT_INVALID')[0], opts.userInfoFile);
  const rows: ApplyRow[] = [];
  for (const resource of resources) {
    for (const policy of policies) {
      const req = buildRequest(policy.name, resource, { ...(values ? { values } : {}), ...(user ? { user } : {}) });
      for (const result of await evaluatePolicy(policy, req)) rows.push({ resource: describe(resource), result });
    }
  }
  return rows;
}

/** True when a row should make `policy apply` exit non-zero (a `fail` or an `error`). */
export function isBlocking(row: ApplyRow): boolean {
  return row.result.status === 'fail' || row.result.status === 'error';
}

function describe(r: KubeObject): string {
  const ns = r.metadata?.namespace;
  return `${r.kind ?? ''}/${ns ? `${ns}/` : ''}${r.metadata?.name ?? r.metadata?.generateName ?? ''}`;
}
