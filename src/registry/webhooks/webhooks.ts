import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { BosunError } from '../../errors.js';
import type { RegistryExtension } from '../app.js';
import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import { toCloudEvent, type WebhookEventKind } from './cloud-event.js';
import { WebhookDispatcher, type DispatcherOptions, type WebhookEndpoint } from './dispatcher.js';

/** One entry of registry.yaml `webhooks:` (see config.ts for defaults). */
export interface WebhookConfig {
  url: string;
  events: WebhookEventKind[];
  secretFile?: string;
  /** Seconds per attempt. */
  timeout: number;
  maxAttempts: number;
}

const maxSecretBytes = 4096;

async function readSecret(file: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BosunError('REGISTRY_CONFIG_INVALID', `webhooks: cannot read secretFile "${file}"`, { cause: err });
  }
  const secret = text.trim();
  if (secret.length === 0 || secret.length > maxSecretBytes) {
    throw new BosunError('REGISTRY_CONFIG_INVALID', `webhooks: secretFile "${file}" must hold 1 to ${maxSecretBytes} bytes`);
  }
  return Buffer.from(secret, 'utf8');
}

export async function endpointsOf(config: readonly WebhookConfig[]): Promise<WebhookEndpoint[]> {
  return Promise.all(
    config.map(async (c) => ({
      url: c.url, events: new Set(c.events), timeoutMs: c.timeout * 1000, maxAttempts: c.maxAttempts,
      ...(c.secretFile !== undefined ? { secret: await readSecret(c.secretFile) } : {}),
    })),
  );
}

/**
 * The webhook feature: push, delete and scan events become CloudEvents (source
 * `urn:bosun:registry:<hostname>`) delivered by a WebhookDispatcher, never on the request's
 * path. Secret files are read once, when the app is built (REGISTRY_CONFIG_INVALID).
 */
export function webhooks(config: readonly WebhookConfig[], deps: { metrics: MetricsRegistry; dispatcher?: Omit<DispatcherOptions, 'logger' | 'deliveries'> }): RegistryExtension {
  return async (app, ctx) => {
    if (config.length === 0) return;
    const deliveries = deps.metrics.counter('bosun_registry_webhook_deliveries_total', 'Webhook deliveries by outcome (delivered, failed, dropped).');
    const dispatcher = new WebhookDispatcher(await endpointsOf(config), { ...deps.dispatcher, logger: app.log, deliveries });
    deps.metrics.gauge('bosun_registry_webhook_queue_depth', 'Webhook deliveries waiting to be sent or retried.', () => dispatcher.depth);
    const source = `urn:bosun:registry:${hostname()}`;
    const off = ctx.events.on((event) => {
      const ce = toCloudEvent(event, source);
      if (ce) dispatcher.enqueue(ce, event.type as WebhookEventKind);
    });
    app.addHook('onClose', async () => {
      off();
      await dispatcher.close();
    });
  };
}
