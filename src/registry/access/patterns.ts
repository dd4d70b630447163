import { BosunError } from '../../errors.js';

// A pattern is a repository name in which `*` stands for any characters of one path
// component and `**` for any characters across components (so `team/**` matches team/app and
// team/a/b, but not team itself; `**` matches every repository).
const patternSyntax = /^[a-z0-9._\-/*]{1,255}$/;
const compiled = new Map<string, RegExp>();
const maxCompiled = 4096;

/** Validates a repository pattern; throws REGISTRY_AUTH_GRANT_INVALID. */
export function parsePattern(raw: string): string {
  if (!patternSyntax.test(raw) || raw.includes('***') || raw.startsWith('/') || raw.endsWith('/') || raw.includes('//')) {
    throw new BosunError('REGISTRY_AUTH_GRANT_INVALID', `invalid repository pattern "${raw.slice(0, 260)}": want a name with * and ** wildcards, e.g. team/**`);
  }
  return raw;
}

function compile(pattern: string): RegExp {
  const body = pattern
    .split('**')
    .map((part) => part.split('*').map((lit) => lit.replace(/[.\\]/g, (c) => `\\${c}`)).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** True when repository `name` matches `pattern` (patterns are compiled once and cached). */
export function matchesPattern(pattern: string, name: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    if (compiled.size >= maxCompiled) compiled.clear();
    re = compile(pattern);
    compiled.set(pattern, re);
  }
  return re.test(name);
}

/** True when `raw` is a valid repository pattern. */
export function isPattern(raw: string): boolean {
  try {
    parsePattern(raw);
    return true;
  } catch {
    return false;
  }
}
