// Real rpm databases for the rpm cataloger tests. Debian's golang-github-knqyf263-go-rpmdb-dev
// ships Berkeley DB `Packages` files taken from CentOS 5-8 images, with the expected package lists
// in Go test files (read here as data). Debian's `rpm` (4.18: sqlite and read-only bdb backends,
// no ndb) is the reference reader, and `rpmdb --rebuilddb` converts a BDB database into a real
// rpmdb.sqlite. Debian has no tool that writes NDB, so `writeNdb` lays real header blobs out as
// rpm's lib/backend/ndb/rpmpkg.c does; that container is the one synthetic part.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { debExtract } from './debian.js';

const buildDir = path.resolve(import.meta.dirname, '../fixtures/build/go-rpmdb');
const testdata = path.join(buildDir, 'usr/share/gocode/src/github.com/knqyf263/go-rpmdb/pkg');

function unpack(): void {
  if (!existsSync(testdata)) debExtract('golang-github-knqyf263-go-rpmdb-dev', buildDir);
}

/** Path of a BDB `Packages` file of the go-rpmdb test data (`centos7-plain`, …). */
export function goRpmdbPackages(fixture: string): string {
  unpack();
  return path.join(testdata, 'testdata', fixture, 'Packages');
}

/** One package as go-rpmdb's test file lists it (epoch 0 means none there). */
export interface GoRpmdbPackage {
  epoch: number;
  name: string;
  version: string;
  release: string;
  arch: string;
  sourceRpm: string;
  size: number;
  license: string;
  vendor: string;
  modularityLabel: string;
}

const goString = '"((?:[^"\\\\]|\\\\.)*)"';
const tupleLine = new RegExp(`^\\s*\\{(\\d+), ${goString}, ${goString}, ${goString}, ${goString}, ${goString}, (\\d+), ${goString}, ${goString}, ${goString},`);

/** The block of Go source between `<varName> = []…{` and its closing `},` line. */
function goBlock(varName: string): string[] {
  unpack();
  const lines = readFileSync(path.join(testdata, 'rpmdb_testcase.go'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.trim().startsWith(`${varName} = `));
  if (start < 0) throw new Error(`${varName} not in rpmdb_testcase.go`);
  const end = lines.findIndex((l, i) => i > start && l === '\t}');
  return lines.slice(start + 1, end);
}

const unquote = (s: string | undefined): string => JSON.parse(`"${s ?? ''}"`) as string;

/** The expected packages of one go-rpmdb fixture (`CentOS5Plain`, …), parsed from the Go source. */
export function goRpmdbExpected(varName: string): GoRpmdbPackage[] {
  return goBlock(varName).map((l) => tupleLine.exec(l)).filter((m): m is RegExpExecArray => m !== null).map((m) => ({
    epoch: Number(m[1]), name: unquote(m[2]), version: unquote(m[3]), release: unquote(m[4]), arch: unquote(m[5]),
    sourceRpm: unquote(m[6]), size: Number(m[7]), license: unquote(m[8]), vendor: unquote(m[9]), modularityLabel: unquote(m[10]),
  }));
}

/** A string list of the Go test file (`CentOS5PythonInstalledFiles`). */
export function goRpmdbStrings(varName: string): string[] {
  return goBlock(varName).map((l) => /^\s*"(.*)",$/.exec(l)?.[1]).filter((s): s is string => s !== undefined).map((s) => unquote(s));
}

const queryFormat = '%{NAME}|%|EPOCH?{%{EPOCH}}:{}||%{VERSION}|%{RELEASE}|%{ARCH}|%{SOURCERPM}|%{LICENSE}|%{VENDOR}|%|MODULARITYLABEL?{%{MODULARITYLABEL}}:{}|\\n';

/** `rpm -qa` over a database directory: one `name|epoch|version|release|arch|srpm|license|vendor|module` line per package, sorted. */
export function rpmQueryAll(dbDir: string): string[] {
  const out = execFileSync('rpm', ['--dbpath', dbDir, '-qa', '--qf', queryFormat], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  return out.split('\n').filter(Boolean).filter((l) => !l.startsWith('gpg-pubkey|')).sort();
}

/** The files a package owns, as rpm lists them (`-qa <name>`: a BDB copy has no Name index for `-ql`). */
export function rpmQueryFiles(dbDir: string, name: string): string[] {
  const out = execFileSync('rpm', ['--dbpath', dbDir, '-qa', name, '--qf', '[%{FILENAMES}\\n]'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter(Boolean);
}

const dirs = new Map<string, string>();

/** A directory holding a copy of a BDB fixture (rpm wants to own the directory it reads); made once per process, treat as read-only. */
export function bdbDir(fixture: string): string {
  const cached = dirs.get(`bdb:${fixture}`);
  if (cached) return cached;
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-rpmdb-'));
  cpSync(goRpmdbPackages(fixture), path.join(dir, 'Packages'));
  dirs.set(`bdb:${fixture}`, dir);
  return dir;
}

/** A real rpmdb.sqlite: rpm itself converts the BDB fixture (`rpmdb --rebuilddb`). */
export function sqliteDir(fixture: string): string {
  const cached = dirs.get(`sqlite:${fixture}`);
  if (cached) return cached;
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-rpmdb-'));
  cpSync(goRpmdbPackages(fixture), path.join(dir, 'Packages'));
  execFileSync('rpmdb', ['--dbpath', dir, '--rebuilddb', '--define', '_db_backend sqlite'], { stdio: 'ignore' });
  if (!existsSync(path.join(dir, 'rpmdb.sqlite'))) throw new Error('rpmdb --rebuilddb wrote no rpmdb.sqlite');
  dirs.set(`sqlite:${fixture}`, dir);
  return dir;
}

function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** An NDB `Packages.db` holding `blobs` as packages 1..n (layout of rpm's rpmpkg.c). */
export function writeNdb(blobs: readonly Buffer[]): Buffer {
  const slotPages = Math.max(1, Math.ceil((blobs.length + 2) / 256));
  const slots = Buffer.alloc(slotPages * 4096);
  slots.write('RpmP', 0, 'latin1');
  slots.writeUInt32LE(1, 8);
  slots.writeUInt32LE(slotPages, 12);
  slots.writeUInt32LE(blobs.length + 1, 16);
  for (let at = 32; at < slots.length; at += 16) slots.write('Slot', at, 'latin1');
  const areas: Buffer[] = [];
  let blk = (slotPages * 4096) / 16;
  blobs.forEach((blob, i) => {
    const blkcnt = Math.ceil((16 + blob.length + 12) / 16);
    const area = Buffer.alloc(blkcnt * 16);
    area.write('BlbS', 0, 'latin1');
    area.writeUInt32LE(i + 1, 4);
    area.writeUInt32LE(blob.length, 12);
    blob.copy(area, 16);
    area.writeUInt32LE(adler32(area.subarray(0, area.length - 12)), area.length - 12);
    area.writeUInt32LE(blob.length, area.length - 8);
    area.write('BlbE', area.length - 4, 'latin1');
    const slot = 32 + i * 16;
    slots.writeUInt32LE(i + 1, slot + 4);
    slots.writeUInt32LE(blk, slot + 8);
    slots.writeUInt32LE(blkcnt, slot + 12);
    areas.push(area);
    blk += blkcnt;
  });
  return Buffer.concat([slots, ...areas]);
}

/** Lays a database file out at `rel` (e.g. `var/lib/rpm/Packages`) under a new root directory. */
export function rootWith(rel: string, content: Buffer): string {
  const root = mkdtempSync(path.join(tmpdir(), 'bosun-rpmroot-'));
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), content);
  return root;
}
