import { createRequire } from 'node:module';
import type * as CvssLibrary from 'ae-cvss-calculator';
import type { Advisory, Severity } from '../advisory.js';
import type { CvssScore, SeverityLevel, SeverityRating } from './finding.js';

// ae-cvss-calculator ships one webpack bundle whose ESM interop hides its named exports; require
// gives the real module object. Its typings describe that object.
const cvssLib = createRequire(import.meta.url)('ae-cvss-calculator') as typeof CvssLibrary;

interface ScoredVector {
  calculateScores(): { base?: number };
}

function constructorFor(vector: string): { version: CvssScore['version']; make: (v: string) => ScoredVector } | undefined {
  if (vector.startsWith('CVSS:4.0/')) return { version: '4.0', make: (v) => new cvssLib.Cvss4P0(v) };
  if (vector.startsWith('CVSS:3.1/')) return { version: '3.1', make: (v) => new cvssLib.Cvss3P1(v) };
  if (vector.startsWith('CVSS:3.0/')) return { version: '3.0', make: (v) => new cvssLib.Cvss3P0(v) };
  if (/^(\()?AV:[LAN]\/AC:[HML]\/Au:[MSN]\//.test(vector)) return { version: '2.0', make: (v) => new cvssLib.Cvss2(v.replace(/^\(|\)$/g, '')) };
  return undefined;
}

/**
 * Scores one CVSS vector (v2.0, v3.0, v3.1 or v4.0) with its specification's base formula.
 * Undefined for a vector that is malformed or lacks base metrics (never throws: advisories are
 * third-party data, and one bad vector must not stop a scan).
 */
export function scoreCvss(vector: string): { version: CvssScore['version']; score: number } | undefined {
  if (scored.has(vector)) return scored.get(vector);
  const result = computeCvss(vector);
  // the same vectors recur across records and packages; the memo is bounded by clearing it
  if (scored.size >= MAX_MEMO) scored.clear();
  scored.set(vector, result);
  return result;
}

const MAX_MEMO = 50_000;
const scored = new Map<string, { version: CvssScore['version']; score: number } | undefined>();

function computeCvss(vector: string): { version: CvssScore['version']; score: number } | undefined {
  const c = constructorFor(vector.trim());
  if (!c || vector.length > 512) return undefined;
  try {
    const base = c.make(vector.trim()).calculateScores().base;
    return typeof base === 'number' && Number.isFinite(base) ? { version: c.version, score: base } : undefined;
  } catch {
    return undefined;
  }
}

/** CVSS v3.x/v4.0 qualitative rating (spec: FIRST CVSS v3.1 §5, v4.0 §6); v2 has no CRITICAL. */
export function levelForScore(score: number, version: CvssScore['version']): SeverityLevel {
  if (score >= 9 && version !== '2.0') return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  return 'LOW';
}

const vendorLevels: Readonly<Record<string, SeverityLevel>> = {
  // Ubuntu priorities (osv-schema severity type `Ubuntu`) and Debian security-tracker urgencies
  negligible: 'LOW', unimportant: 'LOW', low: 'LOW', 'low*': 'LOW', medium: 'MEDIUM', 'medium*': 'MEDIUM',
  high: 'HIGH', 'high*': 'HIGH', critical: 'CRITICAL',
};

const ghsaLevels: Readonly<Record<string, SeverityLevel>> = { LOW: 'LOW', MODERATE: 'MEDIUM', MEDIUM: 'MEDIUM', HIGH: 'HIGH', CRITICAL: 'CRITICAL' };

/** Every scorable CVSS vector of the records (record-level and affected-level), one per vector. */
export function cvssScores(records: ReadonlyArray<{ advisory: Advisory; severities: readonly Severity[] }>): CvssScore[] {
  const seen = new Set<string>();
  const out: CvssScore[] = [];
  for (const { advisory, severities } of records) {
    for (const s of [...advisory.severity, ...severities]) {
      if (!s.type.startsWith('CVSS_') || seen.has(s.score)) continue;
      const scored = scoreCvss(s.score);
      if (!scored) continue;
      seen.add(s.score);
      out.push({ ...scored, vector: s.score, advisory: advisory.id });
    }
  }
  return out;
}

/** A distribution's own rating: severity type `Ubuntu`, or an `urgency`/`severity` string in the affected entry's specifics. */
function vendorRating(rec: { advisory: Advisory; severities: readonly Severity[]; specific: Readonly<Record<string, unknown>> }): SeverityRating | undefined {
  const ubuntu = [...rec.severities, ...rec.advisory.severity].find((s) => s.type === 'Ubuntu');
  const raw = ubuntu?.score ?? rec.specific.urgency ?? rec.specific.severity;
  if (typeof raw !== 'string') return undefined;
  const level = vendorLevels[raw.toLowerCase()];
  return level ? { level, source: 'distribution', advisory: rec.advisory.id, type: ubuntu ? 'Ubuntu' : 'urgency' } : undefined;
}

const cvssPreference: readonly CvssScore['version'][] = ['3.1', '3.0', '4.0', '2.0'];

/** The matched records of one finding, with the affected entries' own severities and specifics. */
export interface RatedRecord {
  advisory: Advisory;
  severities: readonly Severity[];
  /** `ecosystem_specific` merged over `database_specific` of the matched affected entry. */
  specific: Readonly<Record<string, unknown>>;
  isOsPackage: boolean;
}

/**
 * Chooses one severity for a finding (docs/scanning.md, "Severity precedence"):
 * 1. for OS packages, the distribution's own urgency/priority;
 * 2. CVSS base score — v3.1, then v3.0, then v4.0, then v2.0; the highest score within a version;
 * 3. the GHSA label (`database_specific.severity`, MODERATE read as MEDIUM);
 * 4. UNKNOWN.
 */
export function rateSeverity(records: readonly RatedRecord[], scores: readonly CvssScore[]): SeverityRating {
  for (const r of records) {
    const v = r.isOsPackage ? vendorRating(r) : undefined;
    if (v) return v;
  }
  // the preferred version, then the highest score within it (the first such vector on ties)
  const rank = (s: CvssScore): number => cvssPreference.indexOf(s.version);
  let best: CvssScore | undefined;
  for (const s of scores) if (!best || rank(s) < rank(best) || (rank(s) === rank(best) && s.score > best.score)) best = s;
  if (best) return { level: levelForScore(best.score, best.version), score: best.score, source: 'cvss', advisory: best.advisory, type: `CVSS_V${best.version[0]}` };
  for (const r of records) {
    const label = r.advisory.databaseSpecific?.severity;
    const level = typeof label === 'string' ? ghsaLevels[label.toUpperCase()] : undefined;
    if (level) return { level, source: 'ghsa', advisory: r.advisory.id, type: 'database_specific.severity' };
  }
  return { level: 'UNKNOWN', source: 'none' };
}
