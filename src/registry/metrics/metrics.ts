import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RegistryExtension } from '../app.js';
import type { MetricsRegistry } from './metrics-registry.js';

/** registry.yaml `metrics:` (see config.ts for defaults). */
export interface MetricsConfig {
  enabled: boolean;
  path: string;
}

/** Seconds; registry answers are mostly sub-millisecond (cached manifests) up to minutes (large blobs). */
const durationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The route label: the route template with the repository shown as `{name}`
 * (`/v2/{name}/manifests/{reference}`), never a concrete path, so label values stay a small
 * fixed set whatever clients send; requests no route matched are `unmatched`.
 */
export function routeLabel(template: string | undefined): string {
  if (template === undefined) return 'unmatched';
  let label = labels.get(template);
  if (label === undefined) labels.set(template, (label = labelOf(template)));
  return label;
}

// Route templates are a fixed set (the app's routes), so this map stays small.
const labels = new Map<string, string>();

function labelOf(template: string): string {
  return template.replace(/^\/v2\/_\//, '/v2/{name}/').replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{path}');
}

interface Mark {
  start: bigint;
  read: number;
  written: number;
}

function bytesOf(declared: unknown, socketDelta: number): number {
  const n = Number(declared);
  return declared !== undefined && Number.isFinite(n) && n >= 0 ? n : Math.max(0, socketDelta);
}

/**
 * The metrics feature: request counts by method, route and status, a request-duration
 * histogram, body bytes in and out (Content-Length, else the socket's byte counters), and
 * manifest pushes, pulls, deletes, logins and denials from the registry events; other features
 * (audit, scan, webhooks) add theirs to the same `MetricsRegistry`. Served in text format
 * 0.0.4 at `config.path`. Nothing is registered when disabled.
 */
export function metricsEndpoint(config: MetricsConfig, metrics: MetricsRegistry): RegistryExtension {
  return (app, ctx) => {
    if (!config.enabled) return;
    const requests = metrics.counter('bosun_registry_http_requests_total', 'HTTP requests by method, route and status.');
    const duration = metrics.histogram('bosun_registry_http_request_duration_seconds', 'Time from request to the last byte of the answer.', durationBuckets);
    const sent = metrics.counter('bosun_registry_http_response_bytes_total', 'Bytes of answer bodies served.');
    const received = metrics.counter('bosun_registry_http_request_bytes_total', 'Bytes of request bodies received.');
    const events = metrics.counter('bosun_registry_events_total', 'Registry events by type (push, pull and delete of manifests, login, denied, scan).');
    metrics.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss());
    const marks = new WeakMap<FastifyRequest, Mark>();
    // Callback hooks, not async ones: they run on every request and cost less.
    app.addHook('onRequest', (request, _reply, done) => {
      const sock = request.raw.socket as { bytesRead?: number; bytesWritten?: number } | undefined;
      marks.set(request, { start: process.hrtime.bigint(), read: sock?.bytesRead ?? 0, written: sock?.bytesWritten ?? 0 });
      done();
    });
    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
      const mark = marks.get(request);
      if (mark) record(request, reply, mark);
      done();
    });
    function record(request: FastifyRequest, reply: FastifyReply, mark: Mark): void {
      const labels = { method: request.method, route: routeLabel(request.routeOptions.url), status: String(reply.statusCode) };
      requests.inc(labels);
      duration.observe({ method: labels.method, route: labels.route }, Number(process.hrtime.bigint() - mark.start) / 1e9);
      const sock = request.raw.socket as { bytesRead?: number; bytesWritten?: number } | undefined;
      received.inc({}, bytesOf(request.headers['content-length'], (sock?.bytesRead ?? 0) - mark.read));
      if (request.method !== 'HEAD') sent.inc({}, bytesOf(reply.getHeader('content-length'), (sock?.bytesWritten ?? 0) - mark.written));
    }
    const off = ctx.events.on((event) => events.inc({ type: event.type }));
    app.addHook('onClose', async () => off());
    app.get(config.path, async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()));
  };
}
