// Runs conformance workflows: each is an ordered table of cases sharing the workflow's state,
// as the distribution-spec suite runs its specs in order. A case passes, fails (an assertion or
// HTTP error, with the reason), or is skipped when its precondition does not hold.

/** What a case returns to say it did not apply (e.g. a mount answered 202, not 201). */
export const skip = Symbol('skip');

export interface Case {
  /** The part of the workflow it belongs to: setup, a spec area, or teardown. */
  group: string;
  name: string;
  run(): Promise<void | typeof skip>;
}

export interface Workflow {
  title: WorkflowTitle;
  cases: Case[];
}

export type WorkflowTitle = 'Pull' | 'Push' | 'Content Discovery' | 'Content Management';

export type Outcome = 'pass' | 'fail' | 'skip';

export interface CaseResult {
  /** `Workflow / group / name`: unique within a run. */
  id: string;
  outcome: Outcome;
  /** Why it failed. */
  reason?: string;
  ms: number;
}

export interface Summary {
  results: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
}

export function caseId(workflow: WorkflowTitle, c: Pick<Case, 'group' | 'name'>): string {
  return `${workflow} / ${c.group} / ${c.name}`;
}

async function runCase(workflow: WorkflowTitle, c: Case): Promise<CaseResult> {
  const id = caseId(workflow, c);
  const started = Date.now();
  try {
    const r = await c.run();
    return { id, outcome: r === skip ? 'skip' : 'pass', ms: Date.now() - started };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { id, outcome: 'fail', reason, ms: Date.now() - started };
  }
}

/** Runs the workflows in order, each case after the previous one; never throws for a failed case. */
export async function runWorkflows(workflows: Workflow[]): Promise<Summary> {
  const results: CaseResult[] = [];
  for (const w of workflows) {
    for (const c of w.cases) results.push(await runCase(w.title, c));
  }
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  return { results, passed: count('pass'), failed: count('fail'), skipped: count('skip') };
}

/** One line per case, for test logs. */
export function formatSummary(s: Summary): string {
  const lines = s.results.map((r) => `${r.outcome.padEnd(4)} ${r.id}${r.reason ? ` -- ${r.reason}` : ''}`);
  lines.push(`${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
  return lines.join('\n');
}
