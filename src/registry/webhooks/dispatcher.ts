import { createHmac } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { redactUrl } from '../../errors.js';
import type { Counter } from '../metrics/metrics-registry.js';
import type { CloudEvent, WebhookEventKind } from './cloud-event.js';

/** One configured receiver. */
export interface WebhookEndpoint {
  url: string;
  events: ReadonlySet<WebhookEventKind>;
  /** HMAC-SHA256 key; when set every delivery carries `X-Bosun-Signature-256: sha256=<hex>`. */
  secret?: Buffer;
  timeoutMs: number;
  maxAttempts: number;
}

export interface DispatcherOptions {
  /** Deliveries waiting (retries included); past it new ones are dropped and logged. Default 1000. */
  queueSize?: number;
  /** Deliveries in flight at once. Default 4. */
  concurrency?: number;
  /** First retry delay; doubles per attempt up to `maxDelayMs`, with jitter. Default 500 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger?: FastifyBaseLogger;
  /** Counts deliveries by `outcome`: delivered, failed (gave up), dropped (queue full). */
  deliveries?: Counter;
}

interface Delivery {
  endpoint: WebhookEndpoint;
  body: string;
  eventId: string;
  attempt: number;
}

/** The header carrying the body's HMAC-SHA256, GitHub-style (`sha256=<hex>`). */
export const signatureHeader = 'x-bosun-signature-256';

/** `sha256=<hex>` of `body` under `secret`: what receivers compare (in constant time). */
export function signBody(secret: Buffer, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const isRetryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * Delivers CloudEvents to webhook endpoints (structured mode: the event is the JSON body,
 * `Content-Type: application/cloudevents+json`). `enqueue` never blocks and never throws:
 * when the bounded queue is full the delivery is dropped and logged. A delivery is retried on
 * network errors, timeouts, 408, 429 and 5xx with exponential backoff, at most
 * `maxAttempts` times; other answers (and redirects, which are not followed) end it.
 */
export class WebhookDispatcher {
  private readonly queue: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  // One controller per attempt (not AbortSignal.any over a long-lived signal, which keeps
  // every composite alive): close() aborts those in flight.
  private readonly attempts = new Set<AbortController>();
  private waiting = 0;
  private closed = false;
  private readonly queueSize: number;
  private readonly concurrency: number;

  constructor(private readonly endpoints: readonly WebhookEndpoint[], private readonly opts: DispatcherOptions = {}) {
    this.queueSize = opts.queueSize ?? 1000;
    this.concurrency = opts.concurrency ?? 4;
  }

  /** Deliveries queued or waiting for a retry. */
  get depth(): number {
    return this.queue.length + this.waiting;
  }

  enqueue(event: CloudEvent, kind: WebhookEventKind): void {
    if (this.closed) return;
    const body = JSON.stringify(event);
    for (const endpoint of this.endpoints) {
      if (!endpoint.events.has(kind)) continue;
      if (this.depth >= this.queueSize) {
        this.opts.deliveries?.inc({ outcome: 'dropped' });
        this.opts.logger?.warn({ url: redactUrl(endpoint.url), event: event.id, type: event.type }, 'webhook queue full; event dropped');
        continue;
      }
      this.queue.push({ endpoint, body, eventId: event.id, attempt: 1 });
    }
    this.pump();
  }

  /** Stops: pending deliveries are dropped, in-flight ones aborted; resolves when they end. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    this.waiting = 0;
    for (const ac of this.attempts) ac.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.concurrency && this.queue.length > 0) {
      const d = this.queue.shift()!;
      const p = this.deliver(d).finally(() => {
        this.inFlight.delete(p);
        this.pump();
      });
      this.inFlight.add(p);
    }
  }

  private async deliver(d: Delivery): Promise<void> {
    const outcome = await this.attempt(d);
    if (outcome.ok) {
      this.opts.deliveries?.inc({ outcome: 'delivered' });
      return;
    }
    const where = { url: redactUrl(d.endpoint.url), event: d.eventId, attempt: d.attempt, why: outcome.why };
    if (!outcome.retry || d.attempt >= d.endpoint.maxAttempts || this.closed) {
      this.opts.deliveries?.inc({ outcome: 'failed' });
      this.opts.logger?.warn(where, 'webhook delivery failed; giving up');
      return;
    }
    this.opts.logger?.debug(where, 'webhook delivery failed; will retry');
    this.retryLater({ ...d, attempt: d.attempt + 1 });
  }

  private retryLater(d: Delivery): void {
    const base = Math.min((this.opts.baseDelayMs ?? 500) * 2 ** (d.attempt - 2), this.opts.maxDelayMs ?? 30_000);
    this.waiting++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.waiting--;
      this.queue.push(d);
      this.pump();
    }, base * (0.5 + Math.random() / 2));
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(d: Delivery): Promise<{ ok: true } | { ok: false; retry: boolean; why: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/cloudevents+json; charset=utf-8', 'user-agent': 'bosun-registry' };
    if (d.endpoint.secret) headers[signatureHeader] = signBody(d.endpoint.secret, d.body);
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), ac.abort()), d.endpoint.timeoutMs);
    this.attempts.add(ac);
    try {
      const res = await fetch(d.endpoint.url, { method: 'POST', headers, body: d.body, redirect: 'manual', signal: ac.signal });
      // The answer's body is not needed; cancelling frees the connection without reading it.
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return { ok: true };
      return { ok: false, retry: isRetryable(res.status), why: `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, retry: true, why: timedOut ? 'timeout' : (err as Error).message.slice(0, 200) };
    } finally {
      clearTimeout(timer);
      this.attempts.delete(ac);
    }
  }
}
