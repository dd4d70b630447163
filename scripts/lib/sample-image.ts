// Assembles bosun's sample image from real packages (Debian's archive, the npm registry).
//
//   <dir>/                     default .cache/sample-image/, reused when present
//   ├── debs/*.deb             fetched once with `apt-get download`
//   ├── npm/                   package.json, package-lock.json, node_modules/ (npm install)
//   ├── rootfs-debian/         scratch: the debs unpacked, plus their dpkg database
//   └── out/
//       ├── oci/               OCI image layout, tag "sample"
//       └── sample.tar         docker-archive, RepoTags ["bosun/sample:1.0"]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as archive from '../../src/oci/archive.js';
import { ImageBuilder, type LayerEntry } from '../../src/oci/image-builder.js';
import * as layout from '../../src/oci/layout.js';
import type { Image } from '../../src/oci/types.js';
import { dirEntries, parentDirs } from './dir-entries.js';
import { debianRootfs, fetchDebs, hasDebianTools, type DebInfo } from './sample-debian.js';

/** Real npm packages, pinned to versions with published advisories so a scan finds something. */
export const sampleNpmDependencies = { lodash: '4.17.20', minimist: '1.2.5', qs: '6.10.3', semver: '7.5.1' } as const;

export const sampleTag = 'sample';
export const sampleRepoTag = 'bosun/sample:1.0';

export interface SampleImageOptions {
  /** Build directory (default `.cache/sample-image` under the current directory). */
  dir?: string;
  /** Rebuild the image even when the outputs exist (fetched packages are still reused). */
  force?: boolean;
  log?: (msg: string) => void;
}

export interface SampleImage {
  image: Image;
  layoutDir: string;
  archivePath: string;
  npmDir: string;
  /** The Debian packages in layer 1; empty when the host has no apt-get. */
  debs: DebInfo[];
}

async function npmProject(npmDir: string, log: (msg: string) => void): Promise<void> {
  await mkdir(npmDir, { recursive: true });
  const pkg = { name: 'bosun-sample-app', version: '1.0.0', private: true, dependencies: sampleNpmDependencies };
  await writeFile(join(npmDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  if (existsSync(join(npmDir, 'node_modules')) && existsSync(join(npmDir, 'package-lock.json'))) return;
  log(`npm install --ignore-scripts ${Object.entries(sampleNpmDependencies).map(([n, v]) => `${n}@${v}`).join(' ')}`);
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--save-exact'], { cwd: npmDir, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function debianLayer(dir: string, log: (msg: string) => void): Promise<{ entries: LayerEntry[]; debs: DebInfo[] } | undefined> {
  if (!hasDebianTools()) {
    log('note: no apt-get/dpkg-deb on this host; the sample image has no Debian layer');
    return undefined;
  }
  const debFiles = await fetchDebs(join(dir, 'debs'), log);
  const rootfs = join(dir, 'rootfs-debian');
  await rm(rootfs, { recursive: true, force: true });
  const debs = await debianRootfs(debFiles, rootfs);
  return { entries: await dirEntries(rootfs), debs };
}

const appServer = `'use strict';
const qs = require('qs');
const _ = require('lodash');
console.log(_.get(qs.parse('a[b]=1'), 'a.b'));
`;

/** Layer 3: the app, a replaced /etc/issue, and a whiteout deleting /etc/issue.net. */
function appLayer(): LayerEntry[] {
  return [
    { path: 'app/', type: 'dir' },
    { path: 'app/server.js', content: appServer },
    { path: 'etc/', type: 'dir' },
    { path: 'etc/issue', content: 'bosun sample image\n' },
    { path: 'etc/.wh.issue.net', content: '' },
  ];
}

async function build(dir: string, log: (msg: string) => void): Promise<{ image: Image; debs: DebInfo[] }> {
  const builder = new ImageBuilder();
  const debian = await debianLayer(dir, log);
  if (debian) builder.addEntries(debian.entries, { history: { created_by: `dpkg-deb -x ${debian.debs.map((d) => d.package).join(' ')}` } });
  const npmDir = join(dir, 'npm');
  await npmProject(npmDir, log);
  const npmEntries = [...parentDirs('app/'), ...(await dirEntries(npmDir, 'app/')).filter((e) => !e.path.startsWith('app/node_modules/.package-lock.json'))];
  builder.addEntries(npmEntries, { history: { created_by: 'npm install --ignore-scripts' } });
  builder.addEntries(appLayer(), { history: { created_by: 'COPY server.js /app/; replace /etc/issue; rm /etc/issue.net' } });
  const image = await builder.build({
    platform: { os: 'linux', architecture: 'amd64' },
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['node', '/app/server.js'], WorkingDir: '/app', Labels: { 'org.opencontainers.image.title': 'bosun sample' } },
  });
  return { image, debs: debian?.debs ?? [] };
}

/**
 * Builds (or reuses) the sample image in `opts.dir` and writes it as an OCI layout and a
 * docker-archive. Needs network only for packages not already in the build dir.
 */
export async function buildSampleImage(opts: SampleImageOptions = {}): Promise<SampleImage> {
  const dir = resolve(opts.dir ?? join('.cache', 'sample-image'));
  const log = opts.log ?? (() => {});
  const layoutDir = join(dir, 'out', 'oci');
  const archivePath = join(dir, 'out', 'sample.tar');
  const npmDir = join(dir, 'npm');
  await mkdir(join(dir, 'out'), { recursive: true });
  const { image, debs } = await build(dir, log);
  const built = await image.digest();
  const existing = existsSync(layoutDir) ? await layout.image(layoutDir, { tag: sampleTag }).then((i) => i.digest(), () => undefined) : undefined;
  if (opts.force || existing !== built || !existsSync(archivePath)) {
    log(`writing ${layoutDir} (tag ${sampleTag}) and ${archivePath}`);
    await layout.write(layoutDir, image, { tag: sampleTag });
    await archive.write(archivePath, image, { tags: [sampleRepoTag] });
  }
  return { image, layoutDir, archivePath, npmDir, debs };
}
