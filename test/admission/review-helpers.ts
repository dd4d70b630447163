// Builds real AdmissionReview requests and talks to the webhook over HTTPS (loopback).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export type Obj = Record<string, unknown>;

const gvks: Record<string, { group: string; version: string; resource: string }> = {
  Pod: { group: '', version: 'v1', resource: 'pods' },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  CronJob: { group: 'batch', version: 'v1', resource: 'cronjobs' },
};

/** A Pod (or Deployment / CronJob wrapping the same pod spec) with `images` as containers. */
export function workload(kind: 'Pod' | 'Deployment' | 'CronJob', name: string, namespace: string, images: readonly string[], extra: { initImages?: readonly string[] } = {}): Obj {
  const podSpec = {
    containers: images.map((image, i) => ({ name: `c${i}`, image })),
    ...(extra.initImages ? { initContainers: extra.initImages.map((image, i) => ({ name: `init${i}`, image })) } : {}),
  };
  const metadata = { name, namespace };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata, spec: podSpec };
  const template = { metadata: { labels: { app: name } }, spec: podSpec };
  if (kind === 'Deployment') return { apiVersion: 'apps/v1', kind, metadata, spec: { replicas: 2, selector: { matchLabels: { app: name } }, template } };
  return { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { ...template, spec: { ...podSpec, restartPolicy: 'OnFailure' } } } } } };
}

/** An admission.k8s.io/v1 AdmissionReview as the API server sends it. */
export function review(object: Obj, opts: { operation?: string; oldObject?: Obj; dryRun?: boolean; user?: string } = {}): Obj {
  const kind = String(object.kind);
  const g = gvks[kind]!;
  const meta = object.metadata as { name: string; namespace: string };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: randomUUID(),
      kind: { group: g.group, version: g.version, kind },
      resource: { group: g.group, version: g.version, resource: g.resource },
      requestKind: { group: g.group, version: g.version, kind },
      name: meta.name,
      namespace: meta.namespace,
      operation: opts.operation ?? 'CREATE',
      userInfo: { username: opts.user ?? 'alice@example.com', groups: ['system:authenticated'] },
      object,
      oldObject: opts.oldObject ?? null,
      dryRun: opts.dryRun ?? false,
    },
  };
}

export interface ReviewResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
  patch?: string;
  patchType?: string;
}

/** POSTs a review to `url + path`, trusting `caFile`; returns the parsed response half. */
export function post(url: string, path: string, body: Obj, caFile: string): Promise<{ status: number; body: Obj; response: ReviewResponse }> {
  const raw = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', ca: readFileSync(caFile), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj;
        resolve({ status: res.statusCode ?? 0, body: parsed, response: parsed.response as ReviewResponse });
      });
    });
    req.on('error', reject);
    req.end(raw);
  });
}

/** Applies a base64 JSON Patch of `replace` operations (all bosun emits) to a copy of `obj`. */
export function applyPatch(obj: Obj, patchB64: string | undefined): Obj {
  const copy = structuredClone(obj);
  if (!patchB64) return copy;
  const ops = JSON.parse(Buffer.from(patchB64, 'base64').toString('utf8')) as Array<{ op: string; path: string; value: unknown }>;
  for (const op of ops) {
    if (op.op !== 'replace') throw new Error(`unexpected op ${op.op}`);
    const keys = op.path.split('/').slice(1);
    let at: Record<string, unknown> = copy;
    for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
    const last = keys.at(-1)!;
    if (!(last in at)) throw new Error(`replace of missing ${op.path}`);
    at[last] = op.value;
  }
  return copy;
}
