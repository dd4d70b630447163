import { isBosunError } from '../../errors.js';
import type { RegistryExtension } from '../app.js';
import { actorOf } from '../events.js';
import { repoOf } from '../http.js';
import { ImmutableTagGuard } from './guard.js';
import { RuleSet, type NewRule, type RuleStore } from './rules.js';

export interface ImmutableTagsOptions {
  /** Rules from registry.yaml (`immutableTags`); they cannot be removed with the CLI. */
  declared: readonly NewRule[];
  /** Stored rules (`bosun registry rules`); closed with the app when `ownsStore`. */
  store?: RuleStore;
  ownsStore?: boolean;
}

/**
 * Immutable tag rules as a registry extension: wraps the context's MetaStore in an
 * `ImmutableTagGuard` (so only writes pay for the check) and reports each refusal as a
 * `denied` registry event. A refusal answers 403 with the spec's `DENIED` code.
 */
export function immutableTags(opts: ImmutableTagsOptions): RegistryExtension {
  const rules = new RuleSet(opts.declared, opts.store);
  return (app, ctx) => {
    ctx.meta = new ImmutableTagGuard(ctx.meta, rules);
    app.addHook('onError', async (request, _reply, err) => {
      if (!isBosunError(err, 'REGISTRY_TAG_IMMUTABLE')) return;
      const action = request.method === 'DELETE' ? 'delete' : 'push';
      // The route validated the name before the store refused, so repoOf cannot throw here.
      ctx.events.emit({ type: 'denied', actor: actorOf(request), repo: repoOf(request), action, reason: err.message });
    });
    const store = opts.store;
    if (store && opts.ownsStore) app.addHook('onClose', async () => store.close());
  };
}
