import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRegistryConfig } from '../../src/registry/config.js';
import { MetricsRegistry } from '../../src/registry/metrics/metrics-registry.js';
import type { RegistryEvent } from '../../src/registry/events.js';
import { toCloudEvent, type CloudEvent } from '../../src/registry/webhooks/cloud-event.js';
import { WebhookDispatcher, type WebhookEndpoint } from '../../src/registry/webhooks/dispatcher.js';
import { webhooks } from '../../src/registry/webhooks/webhooks.js';
import { serve } from '../helpers/http-server.js';
import { imageManifest, makeApp, putManifest } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback receiver answering each POST with the next status of `statuses` (the last repeats); `hang` never answers. */
async function receiver(statuses: Array<number | 'hang'> = [200]) {
  const got: Received[] = [];
  let i = 0;
  const waiters: Array<() => void> = [];
  const server = await serve((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      for (const w of waiters.splice(0)) w();
      const status = statuses[Math.min(i++, statuses.length - 1)]!;
      if (status !== 'hang') res.writeHead(status).end('thanks');
    });
  });
  const until = async (n: number, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (got.length < n) {
      assert.ok(Date.now() < deadline, `receiver got ${got.length} of ${n} deliveries`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { url: `http://${server.host}/hook`, got, until, close: () => server.close() };
}

test('webhooks: push and delete arrive as signed CloudEvents, each endpoint getting only the kinds it asked for', async () => {
  const all = await receiver();
  const deletesOnly = await receiver();
  const dir = await tempDir('hook');
  const secretFile = join(dir, 'secret');
  await writeFile(secretFile, 's3cret-key\n');
  const config = parseRegistryConfig({ webhooks: [{ url: all.url, secretFile }, { url: deletesOnly.url, events: ['delete'] }] }).webhooks;
  const app = await makeApp({ extensions: [webhooks(config, { metrics: new MetricsRegistry() })] });
  const image = await imageManifest(app, 'team/app');
  assert.equal((await putManifest(app, 'team/app', 'v1', image.raw)).statusCode, 201);
  assert.equal((await app.inject({ method: 'DELETE', url: '/v2/team/app/manifests/v1' })).statusCode, 202);
  await all.until(2);
  await deletesOnly.until(1);
  const [push, del] = all.got.map((r) => JSON.parse(r.body) as CloudEvent);
  assert.equal(push!.specversion, '1.0');
  assert.equal(push!.type, 'dev.bosun.registry.push');
  assert.equal(push!.subject, `team/app@${image.digest}`);
  assert.equal(push!.datacontenttype, 'application/json');
  assert.match(push!.source, /^urn:bosun:registry:/);
  assert.ok(!Number.isNaN(Date.parse(push!.time)));
  assert.deepEqual(push!.data, { repository: 'team/app', digest: image.digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: image.raw.length, tag: 'v1', actor: { kind: 'anonymous' } });
  assert.equal(del!.type, 'dev.bosun.registry.delete');
  assert.equal(del!.subject, 'team/app:v1');
  assert.notEqual(push!.id, del!.id);
  for (const r of all.got) {
    assert.equal(r.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
    // What a receiver does: HMAC the raw body with the shared key, compare in constant time.
    const want = Buffer.from(`sha256=${createHmac('sha256', 's3cret-key').update(r.body).digest('hex')}`);
    const got = Buffer.from(String(r.headers['x-bosun-signature-256']));
    assert.ok(want.length === got.length && timingSafeEqual(want, got));
  }
  assert.equal(deletesOnly.got.length, 1);
  assert.equal((JSON.parse(deletesOnly.got[0]!.body) as CloudEvent).type, 'dev.bosun.registry.delete');
  assert.equal(deletesOnly.got[0]!.headers['x-bosun-signature-256'], undefined);
  await app.close();
  await all.close();
  await deletesOnly.close();
});

const event: CloudEvent = {
  specversion: '1.0', id: 'e1', source: 'urn:test', type: 'dev.bosun.registry.push', time: new Date(0).toISOString(),
  subject: 'a@sha256:x', datacontenttype: 'application/json', data: {},
};

function endpoint(url: string, over: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return { url, events: new Set(['push']), timeoutMs: 2000, maxAttempts: 4, ...over };
}

const retryCases = [
  { name: '503, 503, then 200: retried until delivered', statuses: [503, 503, 200] as const, attempts: 3, outcome: 'delivered' },
  { name: '429 then 200: retried', statuses: [429, 200] as const, attempts: 2, outcome: 'delivered' },
  { name: '400: not retried', statuses: [400] as const, attempts: 1, outcome: 'failed' },
  { name: '302: redirects are not followed', statuses: [302] as const, attempts: 1, outcome: 'failed' },
  { name: '500 forever: gives up after maxAttempts', statuses: [500] as const, attempts: 4, outcome: 'failed' },
];
for (const c of retryCases) {
  test(`webhook dispatcher: ${c.name}`, async () => {
    const r = await receiver([...c.statuses]);
    const metrics = new MetricsRegistry();
    const deliveries = metrics.counter('d', 'deliveries');
    const d = new WebhookDispatcher([endpoint(r.url)], { baseDelayMs: 5, deliveries });
    d.enqueue(event, 'push');
    await r.until(c.attempts);
    const deadline = Date.now() + 5000;
    while (!metrics.render().includes(`outcome="${c.outcome}"`)) {
      assert.ok(Date.now() < deadline);
      await new Promise((res) => setTimeout(res, 20));
    }
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(r.got.length, c.attempts);
    assert.match(metrics.render(), new RegExp(`^d\\{outcome="${c.outcome}"\\} 1$`, 'm'));
    await d.close();
    await r.close();
  });
}

test('webhook dispatcher: a hanging receiver times out, never delays requests, and a full queue drops', async () => {
  const r = await receiver(['hang']);
  const metrics = new MetricsRegistry();
  const deliveries = metrics.counter('d', 'deliveries');
  const d = new WebhookDispatcher([endpoint(r.url, { timeoutMs: 300, maxAttempts: 1 })], { queueSize: 2, concurrency: 1, deliveries });
  for (let i = 0; i < 5; i++) d.enqueue({ ...event, id: `e${i}` }, 'push');
  // One in flight, two waiting, two dropped at once.
  assert.equal(d.depth, 2);
  assert.match(metrics.render(), /^d\{outcome="dropped"\} 2$/m);
  await r.until(1);
  const deadline = Date.now() + 5000;
  while (!/^d\{outcome="failed"\} 3$/m.test(metrics.render())) {
    assert.ok(Date.now() < deadline, metrics.render());
    await new Promise((res) => setTimeout(res, 50));
  }
  await d.close();

  const config = parseRegistryConfig({ webhooks: [{ url: r.url, timeout: 30 }] }).webhooks;
  const app = await makeApp({ extensions: [webhooks(config, { metrics: new MetricsRegistry() })] });
  const image = await imageManifest(app, 'slow');
  const t0 = Date.now();
  assert.equal((await putManifest(app, 'slow', 'v1', image.raw)).statusCode, 201);
  assert.ok(Date.now() - t0 < 1000, 'the push did not wait for the receiver');
  await app.close();
  await r.close();
});

test('webhooks config: refuses non-HTTP URLs and unreadable secrets', async () => {
  assert.throws(() => parseRegistryConfig({ webhooks: [{ url: 'file:///etc/passwd' }] }), { code: 'REGISTRY_CONFIG_INVALID' });
  assert.throws(() => parseRegistryConfig({ webhooks: [{ url: 'http://127.0.0.1/', events: ['pull'] }] }), { code: 'REGISTRY_CONFIG_INVALID' });
  const config = parseRegistryConfig({ webhooks: [{ url: 'http://127.0.0.1:9/', secretFile: '/nonexistent/secret' }] }).webhooks;
  await assert.rejects(makeApp({ extensions: [webhooks(config, { metrics: new MetricsRegistry() })] }), { code: 'REGISTRY_CONFIG_INVALID' });
});

const actor = { name: 'ci', kind: 'robot' as const, ip: '10.1.2.3' };
const dg = `sha256:${'a'.repeat(64)}` as const;
const cloudEvents: Array<{ name: string; event: RegistryEvent; type?: string; subject?: string; data?: Record<string, unknown> }> = [
  { name: 'push of a referrer', event: { type: 'push', actor, repo: 'r', digest: dg, mediaType: 'm', size: 3, subject: dg }, type: 'dev.bosun.registry.push', subject: `r@${dg}`, data: { repository: 'r', digest: dg, mediaType: 'm', size: 3, subject: dg, actor: { kind: 'robot', name: 'ci' } } },
  { name: 'delete by digest', event: { type: 'delete', actor, repo: 'r', digest: dg }, type: 'dev.bosun.registry.delete', subject: `r@${dg}`, data: { repository: 'r', digest: dg, actor: { kind: 'robot', name: 'ci' } } },
  { name: 'scan done', event: { type: 'scan', repo: 'r', digest: dg, status: 'done', summary: { HIGH: 1, total: 1 } }, type: 'dev.bosun.registry.scan', subject: `r@${dg}`, data: { repository: 'r', digest: dg, status: 'done', summary: { HIGH: 1, total: 1 } } },
  { name: 'scan failed', event: { type: 'scan', repo: 'r', digest: dg, status: 'failed', summary: {}, reason: 'boom' }, type: 'dev.bosun.registry.scan', subject: `r@${dg}`, data: { repository: 'r', digest: dg, status: 'failed', summary: {}, reason: 'boom' } },
  { name: 'pull (audit only)', event: { type: 'pull', actor, repo: 'r', digest: dg, mediaType: 'm' } },
  { name: 'login (audit only)', event: { type: 'login', actor, ok: true } },
];
for (const c of cloudEvents) {
  test(`cloud event: ${c.name}`, () => {
    const ce = toCloudEvent({ ...c.event, time: new Date(0) }, 'urn:x');
    if (!c.type) return assert.equal(ce, undefined);
    assert.deepEqual({ ...ce, id: 'x' }, { specversion: '1.0', id: 'x', source: 'urn:x', type: c.type, time: '1970-01-01T00:00:00.000Z', subject: c.subject, datacontenttype: 'application/json', data: c.data });
    assert.ok(!JSON.stringify(ce).includes('10.1.2.3'), 'no IP addresses in webhooks');
  });
}
