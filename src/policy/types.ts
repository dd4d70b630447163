import type { KubeObject } from './model.js';

/** Kyverno's rule statuses. `warn` is a `fail` of a policy annotated `policies.kyverno.io/scored: "false"`. */
export type RuleStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

/** The outcome of one rule on one resource. Outcomes are data: the engine never throws for them. */
export interface RuleResult {
  /** Policy key: `name`, or `namespace/name` for a namespaced Policy. */
  readonly policy: string;
  /** Rule name as the engine ran it (`autogen-<rule>` / `autogen-cronjob-<rule>` for generated rules). */
  readonly rule: string;
  readonly status: RuleStatus;
  readonly message: string;
  /** `Enforce` or `Audit` after namespace overrides; what an admission webhook acts on. */
  readonly failureAction: 'Enforce' | 'Audit';
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** Who is making the request (the AdmissionReview's userInfo plus resolved RBAC roles). */
export interface RequestUser {
  readonly username?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  /** `namespace:role` names of the Roles bound to the user. */
  readonly roles?: readonly string[];
  readonly clusterRoles?: readonly string[];
}

/** A subresource request (e.g. `deployments/scale`): matching uses the parent kind. */
export interface SubresourceInfo {
  readonly parentGroup: string;
  readonly parentVersion: string;
  readonly parentKind: string;
  /** e.g. `scale`, `status`. */
  readonly name: string;
}

/** Everything the engine knows about one admission request or CLI evaluation. */
export interface PolicyRequest {
  readonly resource: KubeObject;
  readonly oldResource?: KubeObject;
  readonly operation: Operation;
  readonly user?: RequestUser;
  /** Labels of the resource's namespace, for `namespaceSelector`. */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly subresource?: SubresourceInfo;
  /** Extra context variables for every rule (dotted keys allowed), applied over built-ins. */
  readonly variables?: Readonly<Record<string, unknown>>;
  /** Extra context variables per rule name. */
  readonly ruleVariables?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}
