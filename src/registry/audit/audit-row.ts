import type { AuditEntry } from './chain.js';

/** An audit entry as both stores keep it: one column per field, snake_case. */
export interface AuditRow {
  /** SQLite returns a number, pg a bigint's decimal string. */
  seq: number | string;
  time: string;
  action: AuditEntry['action'];
  outcome: AuditEntry['outcome'];
  actor_kind: AuditEntry['actorKind'];
  actor: string | null;
  ip: string | null;
  repo: string | null;
  digest: string | null;
  tag: string | null;
  detail: string | null;
  prev: string;
  hash: string;
}

/** The columns of an audit row, in the order `rowValues` gives them. */
export const auditColumns = ['seq', 'time', 'action', 'outcome', 'actor_kind', 'actor', 'ip', 'repo', 'digest', 'tag', 'detail', 'prev', 'hash'] as const;

export function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq), time: r.time, action: r.action, outcome: r.outcome, actorKind: r.actor_kind, actor: r.actor, ip: r.ip,
    repo: r.repo, digest: r.digest, tag: r.tag, detail: r.detail, prev: r.prev, hash: r.hash,
  };
}

/** An entry's values in `auditColumns` order. */
export function rowValues(e: AuditEntry): Array<string | number | null> {
  return [e.seq, e.time, e.action, e.outcome, e.actorKind, e.actor, e.ip, e.repo, e.digest, e.tag, e.detail, e.prev, e.hash];
}
