import semver from 'semver';
import { spawnSync } from 'node:child_process';
// TEMPORARY until src/vuln/versions lands on main (expected 07:50): replaced by compareVersions.
export function defaultCompare(ecosystem: string, a: string, b: string): number {
  if (ecosystem.startsWith('Debian')) {
    if (a === b) return 0;
    if (spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0) return -1;
    return spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0 ? 0 : 1;
  }
  return semver.compare(semver.coerce(a, { includePrerelease: true }) ?? '0.0.0', semver.coerce(b, { includePrerelease: true }) ?? '0.0.0');
}
