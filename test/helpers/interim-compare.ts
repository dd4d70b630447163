// Interim comparator until src/vuln/versions lands on main: semver for npm/Go, dpkg for Debian.
import { spawnSync } from 'node:child_process';
import semver from 'semver';

const memo = new Map<string, number>();
function dpkg(a: string, b: string): number {
  const k = `${a}\0${b}`;
  let r = memo.get(k);
  if (r === undefined) {
    r = a === b ? 0 : spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0 ? -1 : spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0 ? 0 : 1;
    memo.set(k, r);
  }
  return r;
}

export function interimCompare(ecosystem: string, a: string, b: string): number {
  if (ecosystem.startsWith('Debian')) return dpkg(a, b);
  const x = semver.coerce(a, { includePrerelease: true }) ?? '0.0.0';
  const y = semver.coerce(b, { includePrerelease: true }) ?? '0.0.0';
  return semver.compare(x, y);
}
