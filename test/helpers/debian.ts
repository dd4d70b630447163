// Real Debian packages for layer fixtures: fetched once with `apt-get download` into
// test/fixtures/build/debs (git-ignored), unpacked with dpkg-deb, Debian's reference tools.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const debDir = resolve(import.meta.dirname, '../fixtures/build/debs');

/** Path of the package's .deb, downloading it on first use. */
export function debFile(name: string): string {
  mkdirSync(debDir, { recursive: true });
  const find = () => readdirSync(debDir).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
  if (!find()) {
    const download = () => execFileSync('apt-get', ['download', '-q', name], { cwd: debDir, stdio: 'ignore' });
    try {
      download();
    } catch {
      // A fresh machine may have no package lists yet.
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
      download();
    }
  }
  const f = find();
  if (!f) throw new Error(`apt-get download ${name} produced no .deb`);
  return join(debDir, f);
}

/** The package's filesystem as a tar archive (`dpkg-deb --fsys-tarfile`). */
export function debTar(name: string): Buffer {
  return execFileSync('dpkg-deb', ['--fsys-tarfile', debFile(name)], { maxBuffer: 1 << 30 });
}

/** Unpacks the package into `dir` with `dpkg-deb -x`. */
export function debExtract(name: string, dir: string): void {
  execFileSync('dpkg-deb', ['-x', debFile(name), dir]);
}
