import type { Writable } from 'node:stream';
import { BosunError } from '../../errors.js';
import { withFeatureStores } from '../registry-target.js';
import type { StorageConfig } from '../storage-config.js';
import { assertIntact, auditFormats, exportAuditLog, verifyAuditLog, type AuditFormat, type AuditVerification } from './audit-export.js';

export interface RunAuditOptions {
  /** The registry's data directory (holding meta.db). */
  dataDir: string;
  /** registry.yaml's `storage:` (PostgreSQL metadata: the log is read from there). */
  storage?: StorageConfig;
  /** Export only entries at or after this time (ISO 8601, or anything `Date` parses). */
  since?: string;
  /** Verify the whole chain instead of exporting. */
  verify?: boolean;
  format: string;
  /** Where the export or the verification summary goes; not ended. */
  out: Writable;
}

function parseSince(since: string | undefined): string | undefined {
  if (since === undefined) return undefined;
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new BosunError('INPUT_INVALID', `invalid --since "${since.slice(0, 60)}": want a time such as 2026-01-31T12:00:00Z`);
  return new Date(t).toISOString();
}

function parseFormat(format: string): AuditFormat {
  if ((auditFormats as readonly string[]).includes(format)) return format as AuditFormat;
  throw new BosunError('INPUT_INVALID', `invalid --format "${format.slice(0, 40)}": use ${auditFormats.join(', ')}`);
}

function summary(v: AuditVerification, format: AuditFormat): string {
  if (format !== 'table') return `${JSON.stringify({ intact: !v.broken, entries: v.entries, head: v.head, ...(v.broken ? { broken: v.broken } : {}) })}\n`;
  if (v.broken) return `audit log BROKEN at entry ${v.broken.seq}: ${v.broken.message}\n`;
  return `audit log intact: ${v.entries} entries, head ${v.head.seq} sha256:${v.head.hash}\n`;
}

/**
 * `bosun registry audit`: exports the audit log of a registry data directory, or (`verify`)
 * walks the whole chain, writes a summary and throws REGISTRY_AUDIT_CHAIN_BROKEN naming the
 * first broken entry. Reading is safe while the registry runs (SQLite WAL, or PostgreSQL when
 * `storage` names it). Throws INPUT_INVALID for bad options or a directory without meta.db.
 */
export async function runAudit(opts: RunAuditOptions): Promise<void> {
  const format = parseFormat(opts.format);
  const since = parseSince(opts.since);
  const missing = (file: string) => new BosunError('INPUT_INVALID', `no registry metadata at "${file}": pass the registry's --data directory`);
  const target = { dataDir: opts.dataDir, ...(opts.storage ? { storage: opts.storage } : {}) };
  await withFeatureStores(target, { missing }, async ({ audit: store }) => {
    if (opts.verify) {
      const v = await verifyAuditLog(store);
      opts.out.write(summary(v, format));
      assertIntact(v);
      return;
    }
    await exportAuditLog(store, opts.out, { format, ...(since !== undefined ? { since } : {}) });
  });
}
