import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsEndpoint, routeLabel } from '../../src/registry/metrics/metrics.js';
import { MetricsRegistry } from '../../src/registry/metrics/metrics-registry.js';
import { parseRegistryConfig } from '../../src/registry/config.js';
import { imageManifest, makeApp, putManifest } from './helpers.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of text format 0.0.4: every line is a comment (# HELP / # TYPE name type) or
 * a sample `name{label="value",...} number`; every sample belongs to a family declared by
 * TYPE before it. Throws on anything else.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') types.set(meta[2]!, meta[3]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
      const eq = pair.indexOf('=');
      labels[pair.slice(0, eq)] = JSON.parse(pair.slice(eq + 1)) as string;
    }
    const family = m[1]!.replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(m[1]!) || types.get(family) === 'histogram', `sample ${m[1]} without a TYPE`);
    const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value), `bad value in ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { types, samples };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const routes = [
  { template: '/v2/_/manifests/:reference', want: '/v2/{name}/manifests/{reference}' },
  { template: '/v2/_/blobs/uploads/:id', want: '/v2/{name}/blobs/uploads/{id}' },
  { template: '/v2/', want: '/v2/' },
  { template: '/api/v1/scans/*', want: '/api/v1/scans/{path}' },
  { template: undefined, want: 'unmatched' },
];
for (const c of routes) test(`metrics route label ${c.template}`, () => assert.equal(routeLabel(c.template), c.want));

test('metrics: /metrics serves counts by method/route/status, durations, bytes and events in format 0.0.4', async () => {
  const config = parseRegistryConfig({ metrics: { enabled: true } }).metrics;
  const app = await makeApp({ extensions: [metricsEndpoint(config, new MetricsRegistry())] });
  const image = await imageManifest(app, 'team/app');
  // Every answer body the registry sends from here on, to check the bytes-served counter.
  const answers: Buffer[] = [];
  const send = async (opts: { method: 'GET'; url: string }) => {
    const r = await app.inject(opts);
    answers.push(r.rawPayload);
    return r;
  };
  assert.equal((await putManifest(app, 'team/app', 'v1', image.raw)).statusCode, 201);
  for (let i = 0; i < 3; i++) assert.equal((await send({ method: 'GET', url: '/v2/team/app/manifests/v1' })).statusCode, 200);
  assert.equal((await send({ method: 'GET', url: '/v2/team/app/manifests/nope' })).statusCode, 404);
  assert.equal((await send({ method: 'GET', url: `/v2/team/app/blobs/${image.layer}` })).statusCode, 200);
  await send({ method: 'GET', url: '/no/such/path/../../x' });

  const res = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  const { types, samples } = parseExposition(res.body);
  assert.equal(types.get('bosun_registry_http_requests_total'), 'counter');
  assert.equal(types.get('bosun_registry_http_request_duration_seconds'), 'histogram');
  const manifests = '/v2/{name}/manifests/{reference}';
  assert.equal(value(samples, 'bosun_registry_http_requests_total', { method: 'GET', route: manifests, status: '200' }), 3);
  assert.equal(value(samples, 'bosun_registry_http_requests_total', { method: 'GET', route: manifests, status: '404' }), 1);
  assert.equal(value(samples, 'bosun_registry_http_requests_total', { method: 'PUT', route: manifests, status: '201' }), 1);
  assert.equal(value(samples, 'bosun_registry_http_requests_total', { route: 'unmatched', status: '404' }), 1);
  assert.ok(!samples.some((s) => s.labels.route?.includes('team/app')), 'no repository names in labels');
  // Histogram: cumulative buckets ending at +Inf == count; 4 manifest GETs.
  const buckets = samples.filter((s) => s.name === 'bosun_registry_http_request_duration_seconds_bucket' && s.labels.method === 'GET' && s.labels.route === manifests);
  assert.ok(buckets.length > 2);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value);
  assert.equal(buckets.at(-1)!.labels.le, '+Inf');
  assert.equal(buckets.at(-1)!.value, 4);
  assert.equal(value(samples, 'bosun_registry_http_request_duration_seconds_count', { method: 'GET', route: manifests }), 4);
  // Bytes: 3 manifest bodies + the layer out; the manifest and two blobs in.
  const layerSize = Buffer.byteLength('layer bytes x');
  // The two blob pushes (monolithic POSTs) answered empty bodies; the PUT too.
  assert.equal(value(samples, 'bosun_registry_http_response_bytes_total'), answers.reduce((n, b) => n + b.length, 0));
  assert.ok(answers[0]!.length === image.raw.length);
  assert.ok(value(samples, 'bosun_registry_http_request_bytes_total')! >= image.raw.length + layerSize);
  assert.equal(value(samples, 'bosun_registry_events_total', { type: 'push' }), 1);
  assert.equal(value(samples, 'bosun_registry_events_total', { type: 'pull' }), 3);
  await app.close();
});

test('metrics: off by default, and the path is configurable', async () => {
  assert.equal(parseRegistryConfig({}).metrics.enabled, false);
  const off = await makeApp({ extensions: [metricsEndpoint(parseRegistryConfig({}).metrics, new MetricsRegistry())] });
  assert.equal((await off.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
  await off.close();
  const on = await makeApp({ extensions: [metricsEndpoint(parseRegistryConfig({ metrics: { enabled: true, path: '/-/metrics' } }).metrics, new MetricsRegistry())] });
  assert.equal((await on.inject({ method: 'GET', url: '/-/metrics' })).statusCode, 200);
  await on.close();
});

test('metrics registry: label values are escaped and series per metric are bounded', () => {
  const m = new MetricsRegistry();
  const c = m.counter('c_total', 'help with \\ and\nnewline');
  c.inc({ v: 'quote " backslash \\ newline \n' });
  for (let i = 0; i < 5000; i++) c.inc({ v: String(i) });
  const { samples } = parseExposition(m.render());
  assert.equal(samples[0]!.labels.v, 'quote " backslash \\ newline \n');
  assert.equal(samples.length, 2000);
  assert.match(m.render(), /^# HELP c_total help with \\\\ and\\nnewline$/m);
});
