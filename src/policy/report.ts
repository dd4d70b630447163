import type { TestRun } from './test-runner.js';
import { isTestRunOk } from './test-runner.js';
import type { RuleResult } from './types.js';

/**
 * Plain-text tables for `bosun policy test` and `bosun policy apply`, laid out like
 * `kyverno test` (ID, POLICY, RULE, RESOURCE, RESULT, REASON). Pure string building.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One block per test file, then a summary line. */
export function formatTestRuns(runs: readonly TestRun[]): string {
  if (runs.length === 0) return 'No kyverno-test.yaml files found.\n';
  const blocks: string[] = [];
  let passed = 0;
  let failed = 0;
  for (const run of runs) {
    blocks.push(`Loading test ${run.file} (${run.name})`);
    if (run.error) {
      blocks.push(`  Error: ${run.error}`);
      failed++;
      continue;
    }
    const rows = run.checks.map((c, i) => [String(i + 1), c.policy, c.rule, `${c.kind}/${c.resource}`, c.ok ? 'Pass' : 'Fail', c.reason.replace(/\s+/g, ' ')]);
    blocks.push(table(['ID', 'POLICY', 'RULE', 'RESOURCE', 'RESULT', 'REASON'], rows));
    for (const c of run.checks) if (c.ok) passed++; else failed++;
  }
  const failedTests = runs.filter((r) => !isTestRunOk(r)).length;
  blocks.push(`\nTest Summary: ${passed} tests passed and ${failed} tests failed (${runs.length - failedTests}/${runs.length} test files passed)`);
  return `${blocks.join('\n')}\n`;
}

/** Results of `bosun policy apply`, one row per rule and resource, then counts by status. */
export function formatApplyResults(rows: ReadonlyArray<{ readonly resource: string; readonly result: RuleResult }>): string {
  const body = table(['POLICY', 'RULE', 'RESOURCE', 'RESULT', 'MESSAGE'], rows.map(({ resource, result }) => [result.policy, result.rule, resource, result.status, result.message.replace(/\s+/g, ' ')]));
  const count = (s: string): number => rows.filter((r) => r.result.status === s).length;
  return `${body}\n\npass: ${count('pass')}, fail: ${count('fail')}, warn: ${count('warn')}, error: ${count('error')}, skip: ${count('skip')}\n`;
}
