import { rename, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { RuleResult } from '../policy/index.js';
import type { ExceptionUse } from './exceptions.js';

/** The resource a set of results is about. */
export interface ReportSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
}

/**
 * Keeps the latest results per resource and writes them as `wgpolicyk8s.io/v1alpha2`
 * PolicyReports (one per namespace) and a ClusterPolicyReport (cluster-scoped resources), as a
 * multi-document YAML file replaced atomically. Writes are debounced; `close` flushes.
 */
export interface PolicyReportSink {
  record(subject: ReportSubject, results: readonly RuleResult[], exceptions: readonly ExceptionUse[]): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

const maxResources = 50_000;

export function policyReportFile(file: string, debounceMs = 500): PolicyReportSink {
  const latest = new Map<string, { subject: ReportSubject; results: readonly RuleResult[]; exceptions: readonly ExceptionUse[]; time: number }>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    writing = writing.then(() => writeAtomic(file, render([...latest.values()])));
    return writing;
  };
  return {
    record(subject, results, exceptions) {
      const key = `${subject.namespace}/${subject.kind}/${subject.name}`;
      latest.delete(key);
      if (latest.size >= maxResources) latest.delete(latest.keys().next().value as string);
      latest.set(key, { subject, results, exceptions, time: Date.now() });
      timer ??= setTimeout(() => void flush(), debounceMs);
    },
    flush,
    close: flush,
  };
}

type Row = { subject: ReportSubject; results: readonly RuleResult[]; exceptions: readonly ExceptionUse[]; time: number };

function render(rows: readonly Row[]): string {
  const byNamespace = new Map<string, Row[]>();
  for (const r of rows) byNamespace.set(r.subject.namespace, [...(byNamespace.get(r.subject.namespace) ?? []), r]);
  const docs = [...byNamespace.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([ns, list]) => report(ns, list));
  return docs.map((d) => stringify(d)).join('---\n');
}

function report(namespace: string, rows: readonly Row[]): Record<string, unknown> {
  const results = rows.flatMap((row) => row.results.map((r) => {
    const used = row.exceptions.find((e) => e.policy === r.policy && e.rule === r.rule);
    return {
      source: 'bosun',
      policy: r.policy,
      rule: r.rule,
      result: r.status,
      message: r.message,
      scored: r.status !== 'warn',
      timestamp: { seconds: Math.floor(row.time / 1000), nanos: 0 },
      resources: [{ apiVersion: row.subject.apiVersion, kind: row.subject.kind, name: row.subject.name, ...(namespace ? { namespace } : {}), ...(row.subject.uid ? { uid: row.subject.uid } : {}) }],
      ...(used ? { properties: { exception: used.exception, ticket: used.ticket } } : {}),
    };
  }));
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) summary[r.result] += 1;
  const metadata = namespace ? { name: 'bosun-admission', namespace } : { name: 'bosun-admission' };
  return { apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: namespace ? 'PolicyReport' : 'ClusterPolicyReport', metadata, summary, results };
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, file);
}
