import { createRequire } from 'node:module';
import spdxCorrect from 'spdx-correct';
import parseSpdx from 'spdx-expression-parse';

// The id lists ship as JSON; createRequire keeps them out of the ESM import-attribute churn.
const require = createRequire(import.meta.url);
const licenseIds = require('spdx-license-ids/index.json') as string[];
const deprecatedIds = require('spdx-license-ids/deprecated.json') as string[];
const idByLower = new Map([...deprecatedIds, ...licenseIds].map((id) => [id.toLowerCase(), id]));

/** Debian DEP-5 short names that are not SPDX ids (copyright-format 1.0, "License specification"). */
const debianNames: Record<string, string> = {
  expat: 'MIT',
  artistic: 'Artistic-1.0',
  'public-domain': 'LicenseRef-public-domain',
  'bsd-4-clause-uc': 'BSD-4-Clause-UC',
  psf: 'PSF-2.0',
  'python-2.0': 'Python-2.0',
};

/** Names so vague that spdx-correct's guess would invent a version or variant. */
const tooVague = /^(the )?(bsd|gpl|lgpl|agpl|gfdl|artistic|mpl|apache|other|custom|proprietary|unknown|dual license)( licen[cs]e)?$/i;

/** GNU family names as Debian writes them: GPL-2, GPL-2+, LGPL-2.1+, AGPL-3, GFDL-1.3+. */
const gnuName = /^(A?GPL|LGPL|GFDL)-?v?(\d)(?:\.(\d))?(\+)?$/i;

/**
 * Turns a declared license into an SPDX expression, or undefined for empty input. Valid
 * expressions pass through; Debian short names (`GPL-2+` → `GPL-2.0-or-later`) and common
 * spellings are corrected; ` or `/` and ` / `|` / `,` split DEP-5 and npm-legacy alternatives;
 * anything else becomes `LicenseRef-<sanitized>` so no expression is ever invalid.
 */
export function toSpdxExpression(raw: string): string | undefined {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (!text) return undefined;
  // deprecated GNU ids (`LGPL-2.1+`, `GPL-2.0`) are valid syntax but ambiguous; spell them out
  const modern = text.replace(/\b(A?GPL|LGPL|GFDL)-(\d\.\d)(\+)?(?![-\w+])/g, (_m, fam: string, ver: string, plus?: string) => `${fam}-${ver}-${plus ? 'or-later' : 'only'}`);
  if (isValidExpression(modern)) return modern;
  // DEP-5 and npm-legacy lists join short names ("GPL-2+ or Artistic"); names with spaces are
  // prose ("Apache License, Version 2.0") and are read whole
  const disjuncts = text.split(/\s+or\s+|\s*\|\s*/i).map((d) => d.split(/\s+and\s+|\s*,\s*|\s*&\s*/i).filter(Boolean));
  const isList = disjuncts.flat().length > 1 && disjuncts.flat().every((t) => !/\s/.test(t.trim()));
  if (!isList) return single(text);
  return joinExpressions(disjuncts.map((c) => joinExpressions(c.map(single), 'AND')), 'OR');
}

function single(term: string): string {
  const t = term.replace(/^\(+|\)+$/g, '').trim();
  const lower = t.toLowerCase();
  const gnu = gnuName.exec(t);
  if (gnu?.[1] && gnu[2]) {
    return `${gnu[1].toUpperCase()}-${gnu[2]}.${gnu[3] ?? '0'}-${gnu[4] ? 'or-later' : 'only'}`;
  }
  const known = debianNames[lower] ?? idByLower.get(lower);
  if (known) return known;
  // DEP-5 exceptions ("GPL-2+ with Autoconf exception") have no reliable SPDX mapping; keep them whole
  // rather than let a guess drop the exception or the "+".
  if (!tooVague.test(t) && !/\swith\s/i.test(t)) {
    const corrected = spdxCorrect(t, { upgrade: true });
    if (corrected && isSupportedBy(corrected, lower)) return corrected;
  }
  return licenseRef(t);
}

/**
 * spdx-correct guesses boldly ("BSD-variant" → BSD-2-Clause). Accept a guess only when every
 * distinguishing part of it (family, version digits, clause count) appears in the input.
 */
function isSupportedBy(id: string, input: string): boolean {
  return id
    .toLowerCase()
    .split(/[-.+]/)
    .filter((tok) => tok && !['only', 'or', 'later', '0', 'clause'].includes(tok))
    .every((tok) => input.includes(tok));
}

/** `LicenseRef-` plus the name with every character SPDX idstrings forbid replaced by `-`. */
export function licenseRef(name: string): string {
  const id = name.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return `LicenseRef-${id || 'unknown'}`;
}

/** Joins expressions with AND/OR, parenthesizing compound operands; deduplicates, keeps order. */
export function joinExpressions(exprs: readonly string[], op: 'AND' | 'OR'): string {
  const unique = [...new Set(exprs)];
  if (unique.length === 1) return unique[0] as string;
  return unique.map((e) => (/\s(AND|OR)\s/.test(e) ? `(${e})` : e)).join(` ${op} `);
}

export function isValidExpression(text: string): boolean {
  try {
    parseSpdx(text);
    return true;
  } catch {
    return false;
  }
}

/** True when `expr` is one license id on the SPDX list (CycloneDX's `license.id` takes only those). */
export function isListedId(expr: string): boolean {
  return idByLower.get(expr.toLowerCase()) === expr;
}

/**
 * The top-level AND operands of an expression (`A AND (B OR C)` → `A`, `B OR C`), so a single
 * SPDX `licenseDeclared` reads back as the list of licenses it was written from.
 */
export function splitConjunction(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && expr.startsWith(' AND ', i)) {
      parts.push(expr.slice(start, i));
      start = i + 5;
    }
  }
  parts.push(expr.slice(start));
  return parts.map((p) => p.trim()).map((p) => (/^\(.*\)$/.test(p) && isValidExpression(p.slice(1, -1)) ? p.slice(1, -1) : p)).filter(Boolean);
}
