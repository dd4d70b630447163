import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { BosunError, isBosunError } from '../../src/errors.js';
import { catalog, catalogGlobs } from '../../src/sbom/catalog.js';
import { readBdbRecords } from '../../src/sbom/catalogers/rpm-bdb.js';
import { parseRpmHeader } from '../../src/sbom/catalogers/rpm-header.js';
import { readNdbRecords } from '../../src/sbom/catalogers/rpm-ndb.js';
import { rpmCataloger, rpmPurl, splitSourceRpm } from '../../src/sbom/catalogers/rpm.js';
import type { Package } from '../../src/sbom/model.js';
import { dirTree } from '../helpers/dir-tree.js';
import { bdbDir, goRpmdbExpected, goRpmdbStrings, rootWith, rpmQueryAll, rpmQueryFiles, sqliteDir, writeNdb } from '../helpers/rpmdb.js';

/** A package in `rpmQueryAll`'s line format, so bosun and rpm are compared field by field. */
function asRpmLine(p: Package): string {
  const m = p.metadata;
  const evr = p.version.replace(/^\d+:/, '');
  const dash = evr.lastIndexOf('-');
  const srpm = /[?&]upstream=([^&]+)/.exec(p.purl)?.[1];
  return [
    p.name, m.epoch ?? '', evr.slice(0, dash), evr.slice(dash + 1), m.arch ?? '(none)',
    srpm ? decodeURIComponent(srpm) : '(none)', m.rawLicense ?? '(none)', m.vendor ?? '(none)', m.modularityLabel ?? '',
  ].join('|');
}

async function catalogRoot(root: string): Promise<Awaited<ReturnType<typeof rpmCataloger.catalog>>> {
  return rpmCataloger.catalog(dirTree(root), {});
}

/** The header blobs of an rpm-written rpmdb.sqlite, read directly (independent of bosun's readers). */
function sqliteBlobs(dir: string): Buffer[] {
  const db = new Database(path.join(dir, 'rpmdb.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT blob FROM Packages ORDER BY hnum').all() as { blob: Buffer }[]).map((r) => r.blob);
  } finally {
    db.close();
  }
}

const realDatabases = [
  { fixture: 'centos5-plain', goVar: 'CentOS5Plain' },
  { fixture: 'centos8-modularitylabel', goVar: 'CentOS8Modularitylabel' },
] as const;

for (const c of realDatabases) {
  test(`rpm-db bdb ${c.fixture}: exactly what rpm -qa and go-rpmdb's expectations list`, async () => {
    const dir = bdbDir(c.fixture);
    const r = await catalogRoot(rootWith('var/lib/rpm/Packages', readFileSync(path.join(dir, 'Packages'))));
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.packages.map(asRpmLine).sort(), rpmQueryAll(dir));
    // go-rpmdb lists the gpg-pubkey pseudo-packages; rpm -qa (filtered) and bosun do not
    const fromGo = goRpmdbExpected(c.goVar).filter((g) => g.name !== 'gpg-pubkey').map((g) => `${g.name}|${g.epoch || ''}|${g.version}-${g.release}|${g.arch}|${g.sourceRpm}|${g.size}|${g.modularityLabel}`);
    const ours = r.packages.map((p) => `${p.name}|${p.metadata.epoch || ''}|${p.version.replace(/^\d+:/, '')}|${p.metadata.arch}|${p.metadata.sourceName}-${p.metadata.sourceVersion}.src.rpm|${p.metadata.installedSize}|${p.metadata.modularityLabel ?? ''}`);
    assert.deepEqual(ours.sort(), fromGo.sort());
  });
}

test('rpm-db bdb: owned files agree with rpm -ql and go-rpmdb (CentOS 5 python)', async () => {
  const dir = bdbDir('centos5-plain');
  const r = await catalogRoot(rootWith('var/lib/rpm/Packages', readFileSync(path.join(dir, 'Packages'))));
  const python = r.packages.find((p) => p.name === 'python');
  assert.deepEqual(python?.metadata.files, rpmQueryFiles(dir, 'python'));
  assert.deepEqual(python?.metadata.files, goRpmdbStrings('CentOS5PythonInstalledFiles'));
  const bash = r.packages.find((p) => p.name === 'bash');
  const glibc = r.packages.find((p) => p.name === 'glibc');
  assert.ok(bash && glibc && r.relationships?.some((x) => x.from === bash.id && x.to === glibc.id), 'bash requires libc.so.6, which glibc provides');
});

test('rpm-db sqlite (rpmdb.sqlite written by rpm --rebuilddb) and ndb (same headers) match rpm -qa', async () => {
  const dir = sqliteDir('centos5-plain');
  const want = rpmQueryAll(dir);
  const sqlite = await catalogRoot(rootWith('var/lib/rpm/rpmdb.sqlite', readFileSync(path.join(dir, 'rpmdb.sqlite'))));
  assert.deepEqual(sqlite.problems, []);
  assert.deepEqual(sqlite.packages.map(asRpmLine).sort(), want);
  const ndb = await catalogRoot(rootWith('usr/lib/sysimage/rpm/Packages.db', writeNdb(sqliteBlobs(dir))));
  assert.deepEqual(ndb.problems, []);
  assert.deepEqual(ndb.packages.map(asRpmLine).sort(), want);
  assert.equal(ndb.packages[0]?.locations[0]?.path, '/usr/lib/sysimage/rpm/Packages.db');
});

const srpmCases = [
  { srpm: 'glibc-2.17-222.el7.src.rpm', want: { name: 'glibc', version: '2.17-222.el7' } },
  { srpm: 'python3-pip-21.2.3-7.el9.nosrc.rpm', want: { name: 'python3-pip', version: '21.2.3-7.el9' } },
  { srpm: 'not-an-srpm', want: undefined },
] as const;
for (const c of srpmCases) test(`source rpm ${c.srpm}`, () => assert.deepEqual(splitSourceRpm(c.srpm), c.want));

const base = { name: 'openssl-libs', version: '3.0.7', release: '27.el9', arch: 'x86_64', sourceRpm: 'openssl-3.0.7-27.el9.src.rpm', files: [], provides: [], requires: [] };
const purlCases = [
  { name: 'rhel os, epoch', h: { ...base, epoch: 1, vendor: 'Red Hat, Inc.' }, os: { id: 'rhel', versionId: '9.4' }, want: 'pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm' },
  { name: 'no os: vendor decides', h: { ...base, vendor: 'SUSE LLC <https://www.suse.com/>' }, os: undefined, want: 'pkg:rpm/suse/openssl-libs@3.0.7-27.el9?arch=x86_64&upstream=openssl-3.0.7-27.el9.src.rpm' },
  { name: 'opensuse-leap os', h: { ...base, vendor: 'openSUSE' }, os: { id: 'opensuse-leap', versionId: '15.5' }, want: 'pkg:rpm/opensuse/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=opensuse-leap-15.5&upstream=openssl-3.0.7-27.el9.src.rpm' },
] as const;
for (const c of purlCases) test(`rpm purl: ${c.name}`, () => assert.equal(rpmPurl(c.h, c.os), c.want));

// Hostile headers, made from a real one (bash from the CentOS 5 database).
let bashHeader: Buffer | undefined;
function realHeader(): Buffer {
  if (bashHeader) return Buffer.from(bashHeader);
  const recs = readBdbRecords(readFileSync(path.join(bdbDir('centos5-plain'), 'Packages')));
  const blob = recs.map((r) => ('blob' in r ? r.blob : undefined)).find((b) => b && parseRpmHeader(b).name === 'bash');
  assert.ok(blob);
  bashHeader = Buffer.from(blob);
  return Buffer.from(blob);
}
const mutate = (f: (b: Buffer) => Buffer | void) => (b: Buffer): Buffer => f(b) ?? b;
const headerCases = [
  { name: 'truncated to 100 bytes', edit: mutate((b) => b.subarray(0, 100)), code: 'SBOM_FILE_INVALID' },
  { name: 'shorter than the preamble', edit: mutate((b) => b.subarray(0, 5)), code: 'SBOM_FILE_INVALID' },
  { name: 'huge index count', edit: mutate((b) => { b.writeInt32BE(0x7fffffff, 0); }), code: 'LIMIT_EXCEEDED' },
  { name: 'huge data length', edit: mutate((b) => { b.writeInt32BE(0x7ffffff0, 4); }), code: 'LIMIT_EXCEEDED' },
  { name: 'negative index count', edit: mutate((b) => { b.writeInt32BE(-1, 0); }), code: 'SBOM_FILE_INVALID' },
  { name: 'index entry offset past the data store', edit: mutate((b) => { b.writeInt32BE(b.readInt32BE(4) + 100, 8 + 16 + 8); }), code: 'SBOM_FILE_INVALID' },
  { name: 'data store without NUL terminators', edit: mutate((b) => { const dl = b.readInt32BE(4); b.fill(0x41, b.length - dl); }), code: 'SBOM_FILE_INVALID' },
  { name: 'region trailer outside the data store', edit: mutate((b) => { b.writeInt32BE(b.readInt32BE(4), 16); }), code: 'SBOM_FILE_INVALID' },
  { name: 'unknown value type', edit: mutate((b) => { b.writeUInt32BE(99, 8 + 16 + 4); }), code: 'SBOM_FILE_INVALID' },
] as const;
for (const c of headerCases) {
  test(`rpm header rejects: ${c.name}`, () => {
    const t0 = Date.now();
    assert.throws(() => parseRpmHeader(c.edit(realHeader())), (e) => isBosunError(e, c.code));
    assert.ok(Date.now() - t0 < 2000);
  });
}

/** Byte offset of the first overflow page whose chain continues (so a loop can be planted there). */
function chainedOverflowPage(buf: Buffer): number {
  const pageSize = buf.readUInt32LE(20);
  for (let at = pageSize; at < buf.length; at += pageSize) {
    if (buf[at + 25] === 7 && buf.readUInt32LE(at + 16) !== 0) return at;
  }
  throw new Error('no chained overflow page');
}

const databaseCases = [
  {
    name: 'bdb overflow chain that loops', rel: 'var/lib/rpm/Packages', missing: 1,
    make: (): Buffer => {
      const buf = readFileSync(path.join(bdbDir('centos5-plain'), 'Packages'));
      const at = chainedOverflowPage(buf);
      buf.writeUInt32LE(buf.readUInt32LE(at + 8), at + 16);
      return buf;
    },
  },
  {
    name: 'bdb with no hash magic', rel: 'var/lib/rpm/Packages', missing: 'all',
    make: (): Buffer => Buffer.alloc(8192, 0x42),
  },
  {
    name: 'ndb slot pointing outside the file', rel: 'usr/lib/sysimage/rpm/Packages.db', missing: 1,
    make: (): Buffer => {
      const buf = writeNdb(sqliteBlobs(sqliteDir('centos5-plain')));
      buf.writeUInt32LE(0x0fffffff, 32 + 8);
      return buf;
    },
  },
  {
    name: 'ndb with a huge slot page count', rel: 'var/lib/rpm/Packages.db', missing: 'all',
    make: (): Buffer => { const buf = writeNdb([]); buf.writeUInt32LE(0xffffffff, 12); return buf; },
  },
  {
    name: 'rpmdb.sqlite that is not sqlite', rel: 'var/lib/rpm/rpmdb.sqlite', missing: 'all',
    make: (): Buffer => Buffer.from('SQLite format 3\0 but then garbage'.repeat(200)),
  },
] as const;
for (const c of databaseCases) {
  test(`rpm-db hostile database: ${c.name}`, async () => {
    const buf = c.make();
    const t0 = Date.now();
    const r = await catalogRoot(rootWith(c.rel, buf));
    assert.ok(Date.now() - t0 < 3000, 'hostile input is rejected quickly');
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]?.path, `/${c.rel}`);
    assert.ok(['SBOM_FILE_INVALID', 'LIMIT_EXCEEDED'].includes(r.problems[0]?.code ?? ''));
    if (c.missing === 'all') assert.equal(r.packages.length, 0);
    else assert.ok(r.packages.length > 50, 'the undamaged records are still listed');
  });
}

test('ndb reader: a slot page count past the cap is LIMIT_EXCEEDED', () => {
  const buf = writeNdb([]);
  buf.writeUInt32LE(5000, 12);
  assert.throws(() => readNdbRecords(buf), (e) => isBosunError(e, 'LIMIT_EXCEEDED'));
});

test('catalog(): rpm purls carry the OS (RHEL 9 os-release), every new cataloger runs', async () => {
  const dir = sqliteDir('centos5-plain');
  const root = rootWith('var/lib/rpm/rpmdb.sqlite', readFileSync(path.join(dir, 'rpmdb.sqlite')));
  const osRelease = 'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\n';
  mkdirSync(path.join(root, 'etc'));
  writeFileSync(path.join(root, 'etc/os-release'), osRelease);
  const sbom = await catalog(dirTree(root), { source: { kind: 'directory', name: root } });
  assert.deepEqual(sbom.problems, []);
  const bash = sbom.packages.find((p) => p.name === 'bash');
  assert.match(bash?.purl ?? '', /^pkg:rpm\/redhat\/bash@3\.2-\d.*[?&]distro=rhel-9\.4/);
  assert.ok(sbom.relationships.some((r) => r.type === 'depends-on' && r.from === bash?.id));
  for (const glob of ['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/Packages.db', '**/specifications/*.gemspec', '**/go.mod', '**/*.deps.json', '**/uv.lock']) {
    assert.ok(catalogGlobs().includes(glob), glob);
  }
});

test('rpm-db: a database past the capture cap (open throws LIMIT_EXCEEDED) is a problem, not a crash', async () => {
  const root = rootWith('var/lib/rpm/Packages', Buffer.alloc(8192));
  const inner = dirTree(root);
  // squash lists files over its capture cap but refuses to open them; dir-tree has no cap, so mimic it
  const tree = { ...inner, open: async () => { throw new BosunError('LIMIT_EXCEEDED', 'over the capture cap'); } };
  const r = await rpmCataloger.catalog(tree, {});
  assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['/var/lib/rpm/Packages', 'LIMIT_EXCEEDED']]);
});
