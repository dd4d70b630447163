// bosun's conformance harness for the OCI distribution API: the checks of the distribution-spec
// conformance suite (v1.1.1), re-expressed as four ordered case tables (Pull, Push, Content
// Discovery, Content Management) run over plain HTTP against any registry base URL.
//
//   const summary = await runConformance({ baseUrl: 'http://127.0.0.1:5000' });
//   summary.results  // [{ id: 'Push / chunked / resending the first chunk is 416', outcome, reason }]
import { randomUUID } from 'node:crypto';
import { RegistryClient } from './client.js';
import { discoveryWorkflow } from './discovery.js';
import type { SuiteEnv, SuiteOptions } from './env.js';
import { makeFixtures } from './fixtures.js';
import { managementWorkflow } from './management.js';
import { pullWorkflow } from './pull.js';
import { pushWorkflow } from './push.js';
import { runWorkflows, type Summary, type WorkflowTitle } from './runner.js';

export interface ConformanceOptions extends Partial<Omit<SuiteOptions, 'baseUrl'>> {
  baseUrl: string;
  /** Which workflows run, in the suite's order whatever order is given; default all four. */
  workflows?: WorkflowTitle[];
}

const order: WorkflowTitle[] = ['Pull', 'Push', 'Content Discovery', 'Content Management'];
const builders = { 'Pull': pullWorkflow, 'Push': pushWorkflow, 'Content Discovery': discoveryWorkflow, 'Content Management': managementWorkflow } as const;

/**
 * Runs the selected workflows once against `baseUrl` with fresh fixtures. Repositories default
 * to unique names (`conformance/run-<uuid>` and `conformance-<uuid>`), so runs never collide.
 */
export async function runConformance(options: ConformanceOptions): Promise<Summary> {
  const id = randomUUID();
  const opts: SuiteOptions = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    namespace: options.namespace ?? `conformance/run-${id}`,
    crossmountNamespace: options.crossmountNamespace ?? `conformance-${id}`,
    deleteManifestBeforeBlobs: options.deleteManifestBeforeBlobs ?? true,
    ...(options.automaticCrossmount !== undefined ? { automaticCrossmount: options.automaticCrossmount } : {}),
  };
  const env: SuiteEnv = { client: new RegistryClient(opts.baseUrl), fx: makeFixtures(), opts, repoPath: `/v2/${opts.namespace}` };
  const wanted = options.workflows ?? order;
  return runWorkflows(order.filter((t) => wanted.includes(t)).map((t) => builders[t](env)));
}

export type { Summary, CaseResult, Outcome, WorkflowTitle } from './runner.js';
export { formatSummary } from './runner.js';
