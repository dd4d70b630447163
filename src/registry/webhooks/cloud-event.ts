import { randomUUID } from 'node:crypto';
import type { RegistryEvent } from '../events.js';

/** The event kinds a webhook can subscribe to. */
export const webhookEventKinds = ['push', 'delete', 'scan'] as const;
export type WebhookEventKind = (typeof webhookEventKinds)[number];

/** spec: CloudEvents 1.0 (cloudevents/spec, spec.md), JSON event format, structured content mode. */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  /** `dev.bosun.registry.push`, `dev.bosun.registry.delete`, `dev.bosun.registry.scan`. */
  type: string;
  time: string;
  /** `<repo>@<digest>`, or `<repo>:<tag>` for a tag deletion. */
  subject: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
}

export const cloudEventTypePrefix = 'dev.bosun.registry.';

function dataOf(event: Extract<RegistryEvent, { type: WebhookEventKind }>): { subject: string; data: Record<string, unknown> } {
  switch (event.type) {
    case 'push': {
      const { repo, digest, mediaType, size, tag, subject, actor } = event;
      const data = { repository: repo, digest, mediaType, size, ...(tag ? { tag } : {}), ...(subject ? { subject } : {}), actor: { kind: actor.kind, ...(actor.name ? { name: actor.name } : {}) } };
      return { subject: `${repo}@${digest}`, data };
    }
    case 'delete': {
      const { repo, digest, tag, actor } = event;
      const data = { repository: repo, ...(digest ? { digest } : {}), ...(tag ? { tag } : {}), actor: { kind: actor.kind, ...(actor.name ? { name: actor.name } : {}) } };
      return { subject: digest ? `${repo}@${digest}` : `${repo}:${tag ?? ''}`, data };
    }
    case 'scan': {
      const { repo, digest, status, summary, reason } = event;
      return { subject: `${repo}@${digest}`, data: { repository: repo, digest, status, summary, ...(reason ? { reason } : {}) } };
    }
  }
}

/**
 * The CloudEvent for a registry event, or undefined for kinds webhooks do not carry (pulls,
 * logins and denials stay in the audit log). Actor IP addresses are not sent.
 */
export function toCloudEvent(event: RegistryEvent & { time: Date }, source: string): CloudEvent | undefined {
  if (event.type !== 'push' && event.type !== 'delete' && event.type !== 'scan') return undefined;
  const { subject, data } = dataOf(event);
  return {
    specversion: '1.0', id: randomUUID(), source, type: `${cloudEventTypePrefix}${event.type}`,
    time: event.time.toISOString(), subject, datacontenttype: 'application/json', data,
  };
}
