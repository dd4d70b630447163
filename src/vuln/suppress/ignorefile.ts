import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BosunError } from '../../errors.js';

/** One ignore rule: a vulnerability id (or alias), optionally narrowed to purls or paths, optionally expiring. */
export interface IgnoreRule {
  id: string;
  /** YYYY-MM-DD; the rule stops applying at the start of the next day (UTC). */
  expires?: string;
  purls?: string[];
  paths?: string[];
  statement?: string;
  /** `file:line` the rule came from. */
  origin: string;
}

const MAX_IGNOREFILE_BYTES = 4 * 1024 * 1024;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkDate(date: string, origin: string): string {
  if (!DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new BosunError('VULN_IGNOREFILE_INVALID', `${origin}: expiry "${date}" is not a YYYY-MM-DD date`);
  }
  return date;
}

/**
 * Parses `.trivyignore` syntax: one id per line, `#` comments (whole-line or trailing), blank lines,
 * and an optional `exp:YYYY-MM-DD` after the id. Throws `VULN_IGNOREFILE_INVALID` on a bad line.
 */
export function parseIgnoreText(text: string, file: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const origin = `${file}:${i + 1}`;
    const [id, ...rest] = line.split(/\s+/);
    const rule: IgnoreRule = { id: id!, origin };
    for (const field of rest) {
      if (!field.startsWith('exp:')) throw new BosunError('VULN_IGNOREFILE_INVALID', `${origin}: unexpected "${field}" after the id`);
      rule.expires = checkDate(field.slice(4), origin);
    }
    rules.push(rule);
  });
  return rules;
}

const yamlRule = z.object({
  id: z.string().min(1),
  paths: z.array(z.string()).optional(),
  purls: z.array(z.string()).optional(),
  expired_at: z.union([z.string(), z.date()]).optional(),
  statement: z.string().optional(),
});
const yamlDoc = z.object({ vulnerabilities: z.array(yamlRule).optional() });

/** Parses `.trivyignore.yaml` (`vulnerabilities: [{ id, paths, purls, expired_at, statement }]`). */
export function parseIgnoreYaml(text: string, file: string): IgnoreRule[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new BosunError('VULN_IGNOREFILE_INVALID', `${file}: not YAML`, { cause: err });
  }
  const r = yamlDoc.safeParse(doc ?? {});
  if (!r.success) throw new BosunError('VULN_IGNOREFILE_INVALID', `${file}: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? ''}`);
  return (r.data.vulnerabilities ?? []).map((v, i) => {
    const origin = `${file}:vulnerabilities[${i}]`;
    const exp = v.expired_at instanceof Date ? v.expired_at.toISOString().slice(0, 10) : v.expired_at;
    return {
      id: v.id, origin,
      ...(exp ? { expires: checkDate(exp, origin) } : {}),
      ...(v.purls ? { purls: v.purls } : {}),
      ...(v.paths ? { paths: v.paths } : {}),
      ...(v.statement ? { statement: v.statement } : {}),
    };
  });
}

/** Reads an ignore file (YAML when it ends in .yaml/.yml). Throws `IO_FAILED`, `LIMIT_EXCEEDED`, `VULN_IGNOREFILE_INVALID`. */
export async function readIgnoreFile(file: string): Promise<IgnoreRule[]> {
  let text: string;
  try {
    if ((await stat(file)).size > MAX_IGNOREFILE_BYTES) throw new BosunError('LIMIT_EXCEEDED', `ignore file "${file}" is larger than ${MAX_IGNOREFILE_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('IO_FAILED', `cannot read ignore file "${file}"`, { cause: err });
  }
  return /\.ya?ml$/i.test(file) ? parseIgnoreYaml(text, file) : parseIgnoreText(text, file);
}

/** The default ignore files found in `dir`, in the order read: `.bosunignore`, `.trivyignore`, `.trivyignore.yaml`. */
export async function defaultIgnoreFiles(dir: string): Promise<string[]> {
  const names = ['.bosunignore', '.trivyignore', '.trivyignore.yaml'];
  const found = await Promise.all(names.map(async (n) => ((await stat(path.join(dir, n)).catch(() => undefined))?.isFile() ? path.join(dir, n) : undefined)));
  return found.filter((f): f is string => f !== undefined);
}

/** True when the rule has not expired at `now` (an expiry date still applies during that whole day, UTC). */
export function isRuleActive(rule: IgnoreRule, now: Date): boolean {
  return rule.expires === undefined || now.getTime() < Date.parse(`${rule.expires}T00:00:00Z`) + 86_400_000;
}
