import { toSpdxExpression } from '../license.js';
import { parseDeb822 } from './deb822.js';

/**
 * Licenses of a machine-readable Debian copyright file (DEP-5, copyright-format 1.0): the first
 * line of every `License:` field, each turned into an SPDX expression, deduplicated and sorted.
 * A file without the `Format:` header is free text and yields nothing (guessing from prose is
 * not a declaration). Throws SBOM_FILE_INVALID for a DEP-5 file that does not parse.
 */
export function parseDebianCopyright(text: string): string[] {
  if (!/^Format:\s*\S*copyright-format/im.test(text.slice(0, 4096))) return [];
  const out = new Set<string>();
  for (const para of parseDeb822(text)) {
    const license = para.get('license')?.split('\n')[0]?.trim();
    const expr = license ? toSpdxExpression(license) : undefined;
    if (expr) out.add(expr);
  }
  return [...out].sort();
}
