import { z } from 'zod';
import { parseDuration } from './duration.js';

// YAML reads a bare `0` (documented as a duration) as a number; it is accepted as '0'.
const duration = z.preprocess(
  (v) => (v === 0 ? '0' : v),
  z.string().refine((s) => parseDuration(s) !== undefined, { message: 'want a duration such as 90s, 30m, 1h or 7d' }),
);
const count = z.number().int().nonnegative();

/** registry.yaml `gc:`: scheduled online garbage collection (off unless `every` is set). */
export const gcConfigSchema = z
  .object({
    /** How often to collect garbage, e.g. `24h`; absent: never on a schedule. */
    every: duration.optional(),
    /** Content, links and manifests younger than this are kept. */
    grace: duration.default('1h'),
    /** Also remove manifests no tag reaches (distribution's --delete-untagged). */
    deleteUntagged: z.boolean().default(false),
  })
  .strict();

/**
 * One retention rule: applies to the repositories matching `repositories`. A tag survives
 * when any applicable rule keeps it; a rule without keep conditions keeps every tag.
 */
export const retentionRuleSchema = z
  .object({
    /** Repository glob: `*` within a path component, `**` across them. */
    repositories: z.string().min(1),
    /** Keep the N most recently pushed tags. */
    keepLastPushed: count.optional(),
    /** Keep the N most recently pulled tags. */
    keepLastPulled: count.optional(),
    /** Keep tags matching any of these globs (`*`, `?`). */
    keepTags: z.array(z.string().min(1)).max(100).optional(),
    /** Delete manifests no tag reaches that were pushed longer ago than this. */
    deleteUntaggedOlderThan: duration.optional(),
  })
  .strict();

/** registry.yaml `retention:`: Harbor-like tag retention rules and their schedule. */
export const retentionConfigSchema = z
  .object({
    /** How often to apply the rules, e.g. `24h`; absent: only on demand. */
    every: duration.optional(),
    /** Pull times are batched in memory and written this often. */
    pullFlush: duration.default('30s'),
    rules: z.array(retentionRuleSchema).max(1000).default([]),
  })
  .strict();

export type GcConfig = z.infer<typeof gcConfigSchema>;
export type RetentionConfig = z.infer<typeof retentionConfigSchema>;
export type RetentionRule = z.infer<typeof retentionRuleSchema>;
