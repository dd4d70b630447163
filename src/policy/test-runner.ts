import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BosunError, isBosunError } from '../errors.js';
import { evaluatePolicy } from './engine.js';
import { parsePolicies, parseResources, parseYamlDocuments, readTextFile } from './load.js';
import type { KubeObject, Policy } from './model.js';
import type { Operation, RequestUser, RuleResult, RuleStatus } from './types.js';
import { buildRequest, parseUserInfo, parseValues } from './values.js';
import type { Values } from './values.js';

/**
 * Kyverno CLI tests (`kyverno-test.yaml`, cli.kyverno.io/v1alpha1 Test): loads the policies,
 * resources, values and userinfo a test names, runs the engine, and compares every expected
 * (result entry, resource) pair. Stricter than upstream on purpose: a result naming a policy,
 * rule or resource the test does not load is a failed check, not a silent pass.
 */
const statusSchema = z.enum(['pass', 'fail', 'warn', 'error', 'skip']);
const testSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('Test'),
  metadata: z.looseObject({ name: z.string().nullish() }).nullish(),
  policies: z.array(z.string()).min(1),
  resources: z.array(z.string()).min(1),
  variables: z.string().nullish(),
  values: z.unknown().optional(),
  userinfo: z.string().nullish(),
  results: z.array(z.looseObject({
    policy: z.string(),
    rule: z.string(),
    kind: z.string().nullish(),
    resources: z.array(z.string()).nullish(),
    resource: z.string().nullish(),
    result: statusSchema.nullish(),
    status: statusSchema.nullish(),
    operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']).nullish(),
  })).min(1),
});
type TestDoc = z.infer<typeof testSchema>;
type ExpectedResult = TestDoc['results'][number];

/** One expected result, checked. `actual` is absent when the check could not run. */
export interface TestCheck {
  readonly policy: string;
  readonly rule: string;
  readonly resource: string;
  readonly kind: string;
  readonly expected: RuleStatus;
  readonly actual?: RuleStatus;
  readonly ok: boolean;
  readonly reason: string;
}

/** One test file's outcome; `error` is set when the test could not be loaded. */
export interface TestRun {
  readonly file: string;
  readonly name: string;
  readonly checks: readonly TestCheck[];
  readonly error?: string;
}

/** True when every check passed and the test loaded. */
export function isTestRunOk(run: TestRun): boolean {
  return run.error === undefined && run.checks.every((c) => c.ok);
}

/**
 * Finds every `kyverno-test.yaml` under `dir` (or `dir` itself when it is a file) and runs them
 * in path order. Load failures are recorded on the run, not thrown; throws `IO_FAILED` only
 * when `dir` cannot be read.
 */
export async function runTests(dir: string): Promise<TestRun[]> {
  const files = await findTestFiles(dir);
  const runs: TestRun[] = [];
  for (const f of files) runs.push(await runTestFile(f));
  return runs;
}

async function findTestFiles(target: string, depth = 0): Promise<string[]> {
  if (depth > 32) return [];
  let entries;
  try {
    entries = await readdir(target, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return [target];
    throw new BosunError('IO_FAILED', `cannot read '${target}': ${(err as Error).message}`, { cause: err });
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(target, e.name);
    if (e.isDirectory()) out.push(...(await findTestFiles(p, depth + 1)));
    else if (e.name === 'kyverno-test.yaml') out.push(p);
  }
  return out;
}

interface LoadedTest {
  readonly doc: TestDoc;
  readonly policies: Policy[];
  readonly resources: KubeObject[];
  readonly values?: Values;
  readonly user?: RequestUser;
}

/** Runs one test file. Never throws for test content. */
export async function runTestFile(file: string): Promise<TestRun> {
  let loaded: LoadedTest;
  try {
    loaded = await loadTest(file);
  } catch (err) {
    if (!isBosunError(err)) throw err;
    return { file, name: path.basename(path.dirname(file)), checks: [], error: `${err.code}: ${err.message}` };
  }
  const name = loaded.doc.metadata?.name ?? path.basename(path.dirname(file));
  const cache = new Map<string, Promise<RuleResult[]>>();
  const checks: TestCheck[] = [];
  for (const expected of loaded.doc.results) {
    const refs = expected.resources ?? (expected.resource ? [expected.resource] : []);
    for (const ref of refs) checks.push(await check(loaded, expected, ref, cache));
  }
  return { file, name, checks };
}

async function loadTest(file: string): Promise<LoadedTest> {
  const dir = path.dirname(file);
  const [raw] = parseYamlDocuments(await readTextFile(file), file, 'POLICY_TEST_INVALID');
  const parsed = testSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BosunError('POLICY_TEST_INVALID', `'${file}' is not a Kyverno test at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const doc = parsed.data;
  const policies: Policy[] = [];
  for (const p of doc.policies) policies.push(...parsePolicies(await readTextFile(path.resolve(dir, p)), p));
  const resources: KubeObject[] = [];
  for (const r of doc.resources) resources.push(...parseResources(await readTextFile(path.resolve(dir, r)), r));
  let values: Values | undefined;
  if (doc.variables) values = parseValues(parseYamlDocuments(await readTextFile(path.resolve(dir, doc.variables)), doc.variables, 'POLICY_INPUT_INVALID')[0], doc.variables);
  else if (doc.values !== undefined && doc.values !== null) values = parseValues(doc.values, `${file}#values`);
  let user: RequestUser | undefined;
  if (doc.userinfo) user = parseUserInfo(parseYamlDocuments(await readTextFile(path.resolve(dir, doc.userinfo)), doc.userinfo, 'POLICY_INPUT_INVALID')[0], doc.userinfo);
  return { doc, policies, resources, ...(values ? { values } : {}), ...(user ? { user } : {}) };
}

function findResource(resources: readonly KubeObject[], kind: string | undefined, ref: string): KubeObject | undefined {
  const slash = ref.indexOf('/');
  const ns = slash < 0 ? undefined : ref.slice(0, slash);
  const name = slash < 0 ? ref : ref.slice(slash + 1);
  return resources.find((r) => (!kind || r.kind === kind) && r.metadata?.name === name && (ns === undefined || (r.metadata?.namespace ?? '') === ns));
}

async function check(t: LoadedTest, e: ExpectedResult, ref: string, cache: Map<string, Promise<RuleResult[]>>): Promise<TestCheck> {
  const expected = (e.result ?? e.status ?? 'pass') as RuleStatus;
  const base = { policy: e.policy, rule: e.rule, resource: ref, kind: e.kind ?? '', expected };
  const policy = t.policies.find((p) => p.key === e.policy);
  if (!policy) return { ...base, ok: false, reason: `policy '${e.policy}' is not loaded by the test` };
  const names = new Set(policy.rules.flatMap((r) => [r.name, `autogen-${r.name}`, `autogen-cronjob-${r.name}`]));
  if (!names.has(e.rule)) return { ...base, ok: false, reason: `policy '${e.policy}' has no rule '${e.rule}'` };
  const resource = findResource(t.resources, e.kind ?? undefined, ref);
  if (!resource) return { ...base, ok: false, reason: `resource '${e.kind ?? ''}/${ref}' is not loaded by the test` };
  const op = (e.operation ?? undefined) as Operation | undefined;
  const key = `${policy.key}\u0000${t.resources.indexOf(resource)}\u0000${op ?? ''}`;
  let results = cache.get(key);
  if (!results) {
    const req = buildRequest(policy.name, resource, { ...(t.values ? { values: t.values } : {}), ...(t.user ? { user: t.user } : {}), ...(op ? { operation: op } : {}) });
    results = evaluatePolicy(policy, req);
    cache.set(key, results);
  }
  const wanted = [e.rule, `autogen-${e.rule}`, `autogen-cronjob-${e.rule}`];
  const got = (await results).find((r) => wanted.includes(r.rule));
  const actual: RuleStatus = got?.status ?? 'skip';
  const ok = actual === expected;
  const why = got ? got.message : 'rule did not match the resource';
  return { ...base, actual, ok, reason: ok ? 'Ok' : `want ${expected}, got ${actual}: ${why}` };
}
