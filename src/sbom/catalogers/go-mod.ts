import { BosunError } from '../../errors.js';

export interface GoModRequire {
  path: string;
  version: string;
  indirect: boolean;
}

export interface GoModReplace {
  from: { path: string; version?: string };
  to: { path: string; version?: string };
}

export interface GoModFile {
  module?: string;
  go?: string;
  require: GoModRequire[];
  replace: GoModReplace[];
}

const maxLines = 200_000;

/** A Go interpreted string literal; its escapes are JSON's in everything go.mod uses. */
function goString(t: string, where: string): string {
  try {
    return JSON.parse(t) as string;
  } catch (err) {
    throw new BosunError('SBOM_FILE_INVALID', `${where}: bad quoted string`, { cause: err });
  }
}

/** Splits a go.mod line into tokens: quoted strings (`"a b"`, raw `` `a` ``) and bare words. */
function tokens(line: string, where: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|=>|[^\s"`]+)/y;
  let end = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const t = m[1] ?? '';
    out.push(t.startsWith('"') ? goString(t, where) : t.startsWith('`') ? t.slice(1, -1) : t);
    end = re.lastIndex;
  }
  if (line.slice(end).trim() !== '') throw new BosunError('SBOM_FILE_INVALID', `${where}: unbalanced quotes`);
  return out;
}

function apply(out: GoModFile, verb: string, args: string[], indirect: boolean, where: string): void {
  if (verb === 'module' && args[0]) out.module = args[0];
  else if (verb === 'go' && args[0]) out.go = args[0];
  else if (verb === 'require') {
    if (args.length !== 2 || !args[0] || !args[1]) throw new BosunError('SBOM_FILE_INVALID', `${where}: require needs a path and a version`);
    out.require.push({ path: args[0], version: args[1], indirect });
  } else if (verb === 'replace') {
    const arrow = args.indexOf('=>');
    const left = args.slice(0, arrow);
    const right = args.slice(arrow + 1);
    if (arrow < 1 || left.length > 2 || right.length < 1 || right.length > 2) throw new BosunError('SBOM_FILE_INVALID', `${where}: replace needs "old [version] => new [version]"`);
    out.replace.push({
      from: { path: left[0] as string, ...(left[1] ? { version: left[1] } : {}) },
      to: { path: right[0] as string, ...(right[1] ? { version: right[1] } : {}) },
    });
  }
}

/**
 * Parses a go.mod file (spec: go.dev/ref/mod#go-mod-file): `module`, `go`, `require` and `replace`
 * directives, single-line and block forms; `// indirect` marks a requirement. Other directives
 * (`exclude`, `retract`, `toolchain`, `godebug`) are read past. Throws SBOM_FILE_INVALID for a
 * malformed directive, LIMIT_EXCEEDED for more than 200 000 lines.
 */
export function parseGoMod(text: string): GoModFile {
  const out: GoModFile = { require: [], replace: [] };
  const lines = text.split(/\r?\n/);
  if (lines.length > maxLines) throw new BosunError('LIMIT_EXCEEDED', `go.mod has ${lines.length} lines`);
  let block: string | undefined;
  for (const [i, raw] of lines.entries()) {
    const where = `line ${i + 1}`;
    const comment = raw.indexOf('//');
    const indirect = comment >= 0 && /^\/\/\s*indirect(;|\s*$)/.test(raw.slice(comment).trim());
    const t = tokens(comment >= 0 ? raw.slice(0, comment) : raw, where);
    if (t.length === 0) continue;
    if (block !== undefined) {
      if (t[0] === ')' && t.length === 1) block = undefined;
      else apply(out, block, t, indirect, where);
    } else if (t.length === 2 && t[1] === '(') block = t[0];
    else apply(out, t[0] as string, t.slice(1), indirect, where);
  }
  if (block !== undefined) throw new BosunError('SBOM_FILE_INVALID', `unclosed ${block} block`);
  return out;
}

/** True for a replacement by a directory (`./x`, `../x`, `/abs`), which has no module version. */
export function isLocalPath(p: string): boolean {
  return p.startsWith('./') || p.startsWith('../') || p.startsWith('/') || p === '.' || p === '..';
}
