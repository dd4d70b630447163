import type { FastifyRequest } from 'fastify';
import type { Digest } from '../oci/digest.js';

/** Who made a request. The auth layer sets `request.identity`; without it, anonymous. */
export interface Actor {
  /** User or robot name; absent for anonymous requests. */
  name?: string;
  kind: 'user' | 'robot' | 'anonymous';
  /** The peer address of the request. */
  ip: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth layer once credentials are checked. */
    identity?: { name: string; kind: 'user' | 'robot' };
  }
}

/**
 * What happened in the registry, for the audit log, webhooks, metrics and scan-on-push.
 * Emitted after the change is durable (push, delete) or the answer is chosen (pull, denial).
 */
export type RegistryEvent =
  | { type: 'push'; actor: Actor; repo: string; digest: Digest; mediaType: string; size: number; tag?: string; subject?: Digest }
  | { type: 'pull'; actor: Actor; repo: string; digest: Digest; mediaType: string; tag?: string }
  | { type: 'delete'; actor: Actor; repo: string; digest?: Digest; tag?: string }
  | { type: 'login'; actor: Actor; ok: boolean; reason?: string }
  | { type: 'denied'; actor: Actor; repo?: string; action: string; reason: string }
  | { type: 'scan'; repo: string; digest: Digest; status: 'done' | 'failed'; summary: Record<string, number>; reason?: string };

export type RegistryEventListener = (event: RegistryEvent & { time: Date }) => void | Promise<void>;

/** The actor of a request, from `request.identity` and the peer address. */
export function actorOf(request: FastifyRequest): Actor {
  const id = request.identity;
  return id ? { name: id.name, kind: id.kind, ip: request.ip } : { kind: 'anonymous', ip: request.ip };
}

/**
 * A fan-out of registry events to listeners. `emit` never throws and never waits: a slow or
 * failing listener (a webhook, the audit file) must not fail or delay the request that caused
 * the event; failures go to `onError`.
 */
export class RegistryEvents {
  readonly #listeners: RegistryEventListener[] = [];
  constructor(private readonly onError: (err: unknown, event: RegistryEvent) => void = () => {}) {}

  on(listener: RegistryEventListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  emit(event: RegistryEvent): void {
    if (this.#listeners.length === 0) return;
    const stamped = { ...event, time: new Date() };
    for (const listener of this.#listeners) {
      try {
        const done = listener(stamped);
        if (done) done.catch((err: unknown) => this.onError(err, event));
      } catch (err) {
        this.onError(err, event);
      }
    }
  }
}
