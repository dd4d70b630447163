import { z } from 'zod';

/**
 * Kyverno `kyverno.io/v1` ClusterPolicy / Policy, as zod schemas. Loose on purpose: Kyverno
 * accepts unknown and deprecated fields (spec-level `validationFailureAction`, `match.resources`
 * without `any`/`all`), and so does bosun. Patterns and condition operands stay `unknown`
 * because they are free-form JSON.
 */

const stringList = z.array(z.string());

export const labelSelectorSchema = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).nullish(),
  matchExpressions: z.array(z.looseObject({ key: z.string(), operator: z.string(), values: stringList.nullish() })).nullish(),
});
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

export const resourceDescriptionSchema = z.looseObject({
  kinds: stringList.nullish(),
  name: z.string().nullish(),
  names: stringList.nullish(),
  namespaces: stringList.nullish(),
  annotations: z.record(z.string(), z.string()).nullish(),
  selector: labelSelectorSchema.nullish(),
  namespaceSelector: labelSelectorSchema.nullish(),
  operations: stringList.nullish(),
});
export type ResourceDescription = z.infer<typeof resourceDescriptionSchema>;

export const subjectSchema = z.looseObject({ kind: z.string(), name: z.string(), namespace: z.string().nullish() });
export type Subject = z.infer<typeof subjectSchema>;

const userInfoShape = {
  subjects: z.array(subjectSchema).nullish(),
  roles: stringList.nullish(),
  clusterRoles: stringList.nullish(),
};

export const resourceFilterSchema = z.looseObject({ resources: resourceDescriptionSchema.nullish(), ...userInfoShape });
export type ResourceFilter = z.infer<typeof resourceFilterSchema>;

export const matchSchema = z.looseObject({
  any: z.array(resourceFilterSchema).nullish(),
  all: z.array(resourceFilterSchema).nullish(),
  resources: resourceDescriptionSchema.nullish(),
  ...userInfoShape,
});
export type MatchResources = z.infer<typeof matchSchema>;

export const conditionSchema = z.looseObject({
  key: z.unknown().optional(),
  operator: z.string(),
  value: z.unknown().optional(),
  message: z.string().nullish(),
});
export type Condition = z.infer<typeof conditionSchema>;

/** `{any, all}` blocks, or the legacy bare list (which means `all`). */
export const conditionsSchema = z.union([
  z.array(conditionSchema),
  z.looseObject({ any: z.array(conditionSchema).nullish(), all: z.array(conditionSchema).nullish() }),
]);
export type Conditions = z.infer<typeof conditionsSchema>;

export const contextEntrySchema = z.looseObject({
  name: z.string(),
  variable: z.looseObject({ value: z.unknown().optional(), jmesPath: z.string().nullish(), default: z.unknown().optional() }).nullish(),
});
export type ContextEntry = z.infer<typeof contextEntrySchema>;

export const denySchema = z.looseObject({ conditions: conditionsSchema.nullish() });

export interface ForEachValidation {
  list: string;
  elementScope?: boolean | null | undefined;
  context?: ContextEntry[] | null | undefined;
  preconditions?: Conditions | null | undefined;
  pattern?: unknown;
  anyPattern?: unknown[] | null | undefined;
  deny?: z.infer<typeof denySchema> | null | undefined;
  foreach?: ForEachValidation[] | null | undefined;
}

export const forEachSchema: z.ZodType<ForEachValidation> = z.lazy(() =>
  z.looseObject({
    list: z.string(),
    elementScope: z.boolean().nullish(),
    context: z.array(contextEntrySchema).nullish(),
    preconditions: conditionsSchema.nullish(),
    pattern: z.unknown().optional(),
    anyPattern: z.array(z.unknown()).nullish(),
    deny: denySchema.nullish(),
    foreach: z.array(forEachSchema).nullish(),
  }),
);

const failureAction = z.string().nullish();

export const validationSchema = z.looseObject({
  message: z.string().nullish(),
  failureAction,
  failureActionOverrides: z.array(z.looseObject({ action: z.string(), namespaces: stringList.nullish() })).nullish(),
  pattern: z.unknown().optional(),
  anyPattern: z.array(z.unknown()).nullish(),
  deny: denySchema.nullish(),
  foreach: z.array(forEachSchema).nullish(),
});
export type Validation = z.infer<typeof validationSchema>;

export const ruleSchema = z.looseObject({
  name: z.string().min(1),
  match: matchSchema,
  exclude: matchSchema.nullish(),
  context: z.array(contextEntrySchema).nullish(),
  preconditions: conditionsSchema.nullish(),
  validate: validationSchema.nullish(),
  verifyImages: z.array(z.unknown()).nullish(),
});
export type Rule = z.infer<typeof ruleSchema>;

export const policyDocumentSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.enum(['ClusterPolicy', 'Policy']),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().nullish(),
    annotations: z.record(z.string(), z.string()).nullish(),
    labels: z.record(z.string(), z.string()).nullish(),
  }),
  spec: z.looseObject({
    rules: z.array(ruleSchema).min(1),
    validationFailureAction: failureAction,
    validationFailureActionOverrides: z.array(z.looseObject({ action: z.string(), namespaces: stringList.nullish() })).nullish(),
    background: z.boolean().nullish(),
    admission: z.boolean().nullish(),
  }),
});
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;

/** A parsed policy. `key` is how results name it: `name`, or `namespace/name` for a Policy. */
export interface Policy {
  readonly key: string;
  readonly kind: 'ClusterPolicy' | 'Policy';
  readonly name: string;
  readonly namespace: string | undefined;
  readonly annotations: Readonly<Record<string, string>>;
  readonly document: PolicyDocument;
  readonly rules: readonly Rule[];
}

/** A Kubernetes object as the engine sees it: decoded JSON with the standard header. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind?: string; name?: string }>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}
