/**
 * The OSV 1.x JSON codec at the import edge: untrusted bytes in, a validated `Advisory` out.
 * spec: https://ossf.github.io/osv-schema/ (schema 1.0–1.7; field names as the spec spells them).
 *
 * Tolerant where the spec grows: unknown fields are ignored, ranges of an unknown `type` and
 * events with none of the four known keys are dropped, and `affected[]` entries without a
 * `package` (GIT-only entries) are dropped since nothing can be looked up by them. Strict where
 * input can hurt: a record's size and the counts of its lists are capped.
 */
import { z } from 'zod';
import { BosunError } from '../../errors.js';
import type { Advisory, Affected, AffectedRange, RangeEvent, Severity } from '../advisory.js';

/** Caps applied to every record; the defaults are far above anything real OSV data holds. */
export interface OsvLimits {
  /** Bytes of JSON per record. */
  maxRecordBytes: number;
  maxAffected: number;
  maxRangesPerAffected: number;
  maxEventsPerRange: number;
  maxVersionsPerAffected: number;
  /** Aliases, related ids, references and severities, each. */
  maxListItems: number;
}

export const defaultOsvLimits: OsvLimits = {
  maxRecordBytes: 4 * 1024 * 1024,
  maxAffected: 10_000,
  maxRangesPerAffected: 1_000,
  maxEventsPerRange: 2_000,
  maxVersionsPerAffected: 100_000,
  maxListItems: 10_000,
};

const text = z.string().max(64 * 1024);
const extra = z.record(z.string(), z.unknown()).optional();

function recordSchema(l: OsvLimits) {
  const severity = z.array(z.object({ type: text, score: text })).max(l.maxListItems).optional();
  const event = z.object({ introduced: text.optional(), fixed: text.optional(), last_affected: text.optional(), limit: text.optional() });
  const range = z.object({ type: text, events: z.array(event).max(l.maxEventsPerRange) });
  const affected = z.object({
    package: z.object({ ecosystem: text.min(1), name: text.min(1), purl: text.optional() }).optional(),
    ranges: z.array(range).max(l.maxRangesPerAffected).optional(),
    versions: z.array(text).max(l.maxVersionsPerAffected).optional(),
    severity,
    ecosystem_specific: extra,
    database_specific: extra,
  });
  return z.object({
    id: z.string().min(1).max(256),
    modified: z.string().min(1).max(64),
    published: z.string().max(64).optional(),
    withdrawn: z.string().max(64).optional(),
    aliases: z.array(z.string().max(256)).max(l.maxListItems).nullish(),
    related: z.array(z.string().max(256)).max(l.maxListItems).nullish(),
    summary: text.optional(),
    severity,
    affected: z.array(affected).max(l.maxAffected).nullish(),
    references: z.array(z.object({ type: text, url: text })).max(l.maxListItems).nullish(),
    database_specific: extra,
  });
}

type OsvRecord = z.infer<ReturnType<typeof recordSchema>>;
type OsvAffected = NonNullable<OsvRecord['affected']>[number];

const schemas = new Map<OsvLimits, ReturnType<typeof recordSchema>>();
function schemaFor(limits: OsvLimits): ReturnType<typeof recordSchema> {
  let s = schemas.get(limits);
  if (!s) schemas.set(limits, (s = recordSchema(limits)));
  return s;
}

/**
 * Decodes one OSV record. `where` names the input in error messages (a file or zip entry).
 * Throws `LIMIT_EXCEEDED` for a record over a size or count cap, `VULN_ADVISORY_INVALID` for
 * anything that is not an OSV record.
 */
export function decodeOsv(raw: Uint8Array | string, where: string, limits: OsvLimits = defaultOsvLimits): Advisory {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > limits.maxRecordBytes) {
    throw new BosunError('LIMIT_EXCEEDED', `advisory "${where}" is ${size} bytes, over the ${limits.maxRecordBytes}-byte cap`);
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch (err) {
    throw new BosunError('VULN_ADVISORY_INVALID', `advisory "${where}" is not JSON`, { cause: err });
  }
  const parsed = schemaFor(limits).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const code = issue?.code === 'too_big' ? 'LIMIT_EXCEEDED' : 'VULN_ADVISORY_INVALID';
    throw new BosunError(code, `advisory "${where}" is not a valid OSV record: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`, { cause: parsed.error });
  }
  return toAdvisory(parsed.data);
}

function toAdvisory(r: OsvRecord): Advisory {
  const a: Advisory = {
    id: r.id,
    modified: r.modified,
    aliases: r.aliases ?? [],
    related: r.related ?? [],
    severity: toSeverity(r.severity),
    affected: (r.affected ?? []).flatMap(toAffected),
    references: r.references ?? [],
  };
  if (r.published !== undefined) a.published = r.published;
  if (r.withdrawn !== undefined) a.withdrawn = r.withdrawn;
  if (r.summary !== undefined) a.summary = r.summary;
  const specific = pickSpecific(r.database_specific);
  if (specific) a.databaseSpecific = specific;
  return a;
}

/**
 * The `*_specific` keys the matcher reads: a distribution's `status`/`state` and `urgency`, and a
 * `severity` label (GHSA). The rest (Go's symbol lists, review metadata) is dropped at the edge:
 * every stored byte is decoded again on every scan, and the database holds millions of them.
 */
const specificKeys = ['severity', 'state', 'status', 'urgency'] as const;

function pickSpecific(raw: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const k of specificKeys) if (raw[k] !== undefined) (out ??= {})[k] = raw[k];
  return out;
}

function toSeverity(s: Array<{ type: string; score: string }> | undefined): Severity[] {
  return (s ?? []).map(({ type, score }) => ({ type, score }));
}

function toAffected(x: OsvAffected): Affected[] {
  if (!x.package) return [];
  const out: Affected = {
    ecosystem: x.package.ecosystem,
    name: x.package.name,
    ranges: (x.ranges ?? []).flatMap(toRange),
    versions: x.versions ?? [],
    severity: toSeverity(x.severity),
  };
  const ecosystemSpecific = pickSpecific(x.ecosystem_specific);
  const databaseSpecific = pickSpecific(x.database_specific);
  if (ecosystemSpecific) out.ecosystemSpecific = ecosystemSpecific;
  if (databaseSpecific) out.databaseSpecific = databaseSpecific;
  return [out];
}

const rangeTypes: ReadonlySet<string> = new Set(['SEMVER', 'ECOSYSTEM', 'GIT']);

function toRange(r: { type: string; events: Array<Record<string, string | undefined>> }): AffectedRange[] {
  if (!rangeTypes.has(r.type)) return [];
  const events: RangeEvent[] = [];
  for (const e of r.events) {
    if (e.introduced !== undefined) events.push({ introduced: e.introduced });
    else if (e.fixed !== undefined) events.push({ fixed: e.fixed });
    else if (e.last_affected !== undefined) events.push({ last_affected: e.last_affected });
    else if (e.limit !== undefined) events.push({ limit: e.limit });
  }
  return [{ type: r.type as AffectedRange['type'], events }];
}
