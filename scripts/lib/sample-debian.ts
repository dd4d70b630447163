import { execFileSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Small but real Debian 12 packages: the first layer of the sample image. */
export const samplePackages = ['base-files', 'netbase', 'zlib1g', 'libssl3', 'ca-certificates', 'tzdata'] as const;

export interface DebInfo {
  package: string;
  version: string;
  architecture: string;
  file: string;
}

const run = (cmd: string, args: string[], cwd?: string): string =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });

/** True when this host can fetch and unpack Debian packages. */
export function hasDebianTools(): boolean {
  try {
    run('sh', ['-c', 'command -v apt-get && command -v dpkg-deb']);
    return true;
  } catch {
    return false;
  }
}

/**
 * The .deb files for `samplePackages` in `debDir`, fetched with `apt-get download` only for
 * packages not already there (so a filled cache works offline).
 */
export async function fetchDebs(debDir: string, log: (msg: string) => void): Promise<string[]> {
  await mkdir(debDir, { recursive: true });
  const have = () => readdir(debDir).then((names) => names.filter((n) => n.endsWith('.deb')));
  const present = new Set((await have()).map((n) => n.slice(0, n.indexOf('_'))));
  const missing = samplePackages.filter((p) => !present.has(p));
  if (missing.length > 0) {
    log(`apt-get download ${missing.join(' ')}`);
    try {
      run('apt-get', ['download', ...missing], debDir);
    } catch (err) {
      // A fresh machine may have empty package lists; refresh them once when we may.
      if (process.getuid?.() !== 0) throw err;
      log('apt-get download failed; running apt-get update once and retrying');
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['download', ...missing], debDir);
    }
  }
  const files = (await have()).filter((n) => (samplePackages as readonly string[]).includes(n.slice(0, n.indexOf('_'))));
  return files.sort().map((n) => join(debDir, n));
}

// One line of `dpkg-deb -c` (tar -tv style): type+mode, owner, size, date, time, name.
const contentLine = /^(\S)\S*\s+\S+\s+\d+\s+\d{4}-\d\d-\d\d\s+\d\d:\d\d(?::\d\d)?\s+(.*)$/;

/** The paths dpkg records in `info/<pkg>.list` for a deb: `/.` first, no trailing slashes. */
export function listFromContents(contents: string): string[] {
  const paths: string[] = [];
  for (const line of contents.split('\n')) {
    const m = contentLine.exec(line);
    if (!m) continue;
    let name = m[2]!;
    if (m[1] === 'l') name = name.replace(/ -> .*$/, '');
    if (m[1] === 'h') name = name.replace(/ link to .*$/, '');
    const path = name === './' ? '/.' : name.replace(/^\.\//, '/').replace(/\/$/, '');
    paths.push(path);
  }
  return paths;
}

/** A dpkg status paragraph: the deb's control fields with `Status:` after `Package:`. */
export function statusParagraph(control: string): string {
  const lines = control.replace(/\n+$/, '').split('\n');
  const at = lines.findIndex((l) => l.startsWith('Package:'));
  lines.splice(at + 1, 0, 'Status: install ok installed');
  return `${lines.join('\n')}\n`;
}

function field(control: string, name: string): string {
  const m = new RegExp(`^${name}: (.*)$`, 'm').exec(control);
  if (!m) throw new Error(`control has no ${name} field`);
  return m[1]!.trim();
}

/**
 * Unpacks `debs` into `rootfs` with `dpkg-deb -x` and writes the dpkg database an installed
 * system would have: `var/lib/dpkg/status` and `var/lib/dpkg/info/<pkg>[:<arch>].list`.
 */
export async function debianRootfs(debs: readonly string[], rootfs: string): Promise<DebInfo[]> {
  const info = join(rootfs, 'var', 'lib', 'dpkg', 'info');
  await mkdir(info, { recursive: true });
  const paragraphs: string[] = [];
  const out: DebInfo[] = [];
  for (const deb of debs) {
    run('dpkg-deb', ['-x', deb, rootfs]);
    const control = run('dpkg-deb', ['-f', deb]);
    const pkg = field(control, 'Package');
    const arch = field(control, 'Architecture');
    const multiArchSame = /^Multi-Arch: same$/m.test(control);
    paragraphs.push(statusParagraph(control));
    const listName = multiArchSame ? `${pkg}:${arch}.list` : `${pkg}.list`;
    await writeFile(join(info, listName), `${listFromContents(run('dpkg-deb', ['-c', deb])).join('\n')}\n`);
    out.push({ package: pkg, version: field(control, 'Version'), architecture: arch, file: deb });
  }
  await writeFile(join(rootfs, 'var', 'lib', 'dpkg', 'status'), paragraphs.join('\n'));
  return out;
}
