import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { BosunError, isBosunError } from '../../src/errors.js';
import { fileNameParts, manifestCoordinates, parseManifest, parseProperties, pomCoordinates } from '../../src/sbom/catalogers/java-meta.js';
import { javaCataloger } from '../../src/sbom/catalogers/java.js';
import { debExtract } from '../helpers/debian.js';
import { dirTree } from '../helpers/dir-tree.js';
import { writeTree } from '../helpers/sbom-fixture.js';
import { writeZip } from '../helpers/zip-writer.js';

const propertyCases = [
  { name: 'equals', text: 'groupId=org.slf4j\n', key: 'groupId', want: 'org.slf4j' },
  { name: 'colon and spaces', text: '  groupId : org.slf4j  \n', key: 'groupId', want: 'org.slf4j' },
  { name: 'comment lines', text: '#groupId=no\n!x=y\ngroupId=yes\n', key: 'groupId', want: 'yes' },
  { name: 'continuation', text: 'version=1.\\\n   2.3\n', key: 'version', want: '1.2.3' },
  { name: 'unicode escape', text: 'a=\\u0041b\n', key: 'a', want: 'Ab' },
  { name: 'CRLF', text: 'version=2.0\r\n', key: 'version', want: '2.0' },
] as const;
for (const c of propertyCases) {
  test(`properties: ${c.name}`, () => assert.equal(parseProperties(c.text).get(c.key), c.want));
}

const badPoms = [
  { name: 'empty', text: '' },
  { name: 'no version', text: 'groupId=a\nartifactId=b\n' },
  { name: 'binary garbage', text: '\u0000\u0001PK\u0003\u0004' },
  { name: 'spaces in the group', text: 'groupId=a b\nartifactId=b\nversion=1\n' },
  { name: 'version with a slash', text: 'groupId=a\nartifactId=b\nversion=../1\n' },
] as const;
for (const c of badPoms) {
  test(`pom.properties rejects ${c.name}`, () => assert.throws(() => pomCoordinates(c.text), (e) => isBosunError(e, 'SBOM_FILE_INVALID')));
}

// slf4j-simple's real manifest (Debian libslf4j-java 1.7.32), which ships no pom.properties
const slf4jSimple = 'Manifest-Version: 1.0\nImplementation-Version: 1.7.32\nImplementation-Title: slf4j-simple\nBundle-SymbolicName: slf4j.simple\nAutomatic-Module-Name: org.slf4j.simple\nImport-Package: org.slf4j;version=1.7.32,or\n g.slf4j.helpers\n\nName: org/x\nImplementation-Version: 9\n';
const manifestCases = [
  { name: 'title and module name', text: slf4jSimple, file: 'slf4j-simple', want: 'org.slf4j:slf4j-simple:1.7.32' },
  { name: 'vendor id is the group', text: 'Implementation-Title: lib\nImplementation-Version: 2.1\nImplementation-Vendor-Id: com.acme\n', file: undefined, want: 'com.acme:lib:2.1' },
  { name: 'prose title: file name artifact, bundle version', text: 'Implementation-Title: Apache Commons IO\nBundle-Version: 2.11.0\n', file: 'commons-io', want: 'commons-io:commons-io:2.11.0' },
  { name: 'bundle symbolic name with attributes', text: 'Bundle-SymbolicName: org.acme.core;singleton:=true\nBundle-Version: 3.0\n', file: undefined, want: 'org.acme.core:org.acme.core:3.0' },
  { name: 'no version', text: 'Implementation-Title: lib\n', file: 'lib', want: undefined },
] as const;
for (const c of manifestCases) {
  test(`manifest: ${c.name}`, () => {
    const got = manifestCoordinates(parseManifest(c.text), c.file);
    assert.equal(got && `${got.groupId}:${got.artifactId}:${got.version}`, c.want);
  });
}

const fileNameCases = [
  { f: 'commons-io-2.11.0.jar', want: { artifactId: 'commons-io', version: '2.11.0' } },
  { f: 'guava-31.1-jre.jar', want: { artifactId: 'guava', version: '31.1-jre' } },
  { f: 'log4j-1.2-api-2.19.0.jar', want: { artifactId: 'log4j', version: '1.2-api-2.19.0' } },
  { f: 'jackson-core.jar', want: { artifactId: 'jackson-core' } },
  { f: 'app.WAR', want: { artifactId: 'app' } },
  { f: 'a b.jar', want: undefined },
] as const;
for (const c of fileNameCases) {
  // log4j-1.2-api-2.19.0: the first "-<digit>" starts the version, as in Syft; a real jar of it
  // carries pom.properties, so the file name is never used for it
  test(`file name ${c.f}`, () => assert.deepEqual(fileNameParts(c.f), c.want));
}

const debs = ['libcommons-lang3-java', 'libguava-java', 'libjackson2-core-java', 'libjackson2-databind-java', 'libjackson2-annotations-java', 'libcommons-io-java', 'libcommons-codec-java', 'libslf4j-java', 'liblog4j2-java'];
let root = '';
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bosun-java-'));
  for (const d of debs) debExtract(d, root);
});

/** Truth: the Maven coordinates Debian itself publishes for each jar (maven-repo/<g>/<a>/<v>/*.jar). */
function mavenRepoTruth(dir: string): string[] {
  const repo = path.join(dir, 'usr/share/maven-repo');
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const d of readdirSync(path.join(repo, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(child);
      else if (d.name.endsWith('.jar')) {
        const parts = child.split('/');
        const version = parts.at(-2) as string;
        // `debian` and `2.x` are Debian's own version aliases of the same jar, not releases
        if (version === 'debian' || /^\d+\.x$/.test(version)) continue;
        out.push(`pkg:maven/${parts.slice(0, -3).join('.')}/${parts.at(-3)}@${version}`);
      }
    }
  };
  walk('');
  return [...new Set(out)].sort();
}

test('java-archive: 100% recall and precision against the Maven coordinates Debian ships', async () => {
  const truth = mavenRepoTruth(root);
  const r = await javaCataloger.catalog(dirTree(root), {});
  const got = [...new Set(r.packages.map((p) => p.purl))].sort();
  assert.ok(truth.length >= 25, `truth has ${truth.length} jars`);
  assert.deepEqual(got, truth);
  assert.deepEqual(r.problems, []);
  const simple = r.packages.find((p) => p.name === 'slf4j-simple');
  assert.equal(simple?.locations[0]?.path, '/usr/share/java/slf4j-simple.jar');
});

function unzipTo(jar: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('unzip', ['-qo', jar, '-d', dir]);
}

test('java-archive: a shaded jar reports what it contains; a war nests it; no double counting', async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'bosun-shade-'));
  const shade = path.join(work, 'shade');
  unzipTo(path.join(root, 'usr/share/java/commons-io.jar'), shade);
  unzipTo(path.join(root, 'usr/share/java/commons-lang3.jar'), shade);
  writeFileSync(path.join(shade, 'META-INF/MANIFEST.MF'), 'Manifest-Version: 1.0\nImplementation-Title: shaded-app\nImplementation-Version: 1.0.0\n');
  const out = path.join(work, 'tree');
  const war = path.join(work, 'war');
  mkdirSync(path.join(out, 'app'), { recursive: true });
  mkdirSync(path.join(out, 'srv'), { recursive: true });
  mkdirSync(path.join(war, 'WEB-INF/lib'), { recursive: true });
  execFileSync('zip', ['-qr', path.join(out, 'app/shaded-app-1.0.0.jar'), '.'], { cwd: shade });
  copyFileSync(path.join(out, 'app/shaded-app-1.0.0.jar'), path.join(war, 'WEB-INF/lib/shaded-app-1.0.0.jar'));
  copyFileSync(path.join(root, 'usr/share/java/commons-codec.jar'), path.join(war, 'WEB-INF/lib/commons-codec-1.15.jar'));
  execFileSync('zip', ['-qr', path.join(out, 'srv/app.war'), 'WEB-INF'], { cwd: war });
  const r = await javaCataloger.catalog(dirTree(out), {});
  const got = r.packages.map((p) => `${p.locations[0]?.path} ${p.purl} ${p.metadata.virtualPath ?? ''}`).sort();
  assert.deepEqual(got, [
    '/app/shaded-app-1.0.0.jar pkg:maven/commons-io/commons-io@2.11.0 ',
    '/app/shaded-app-1.0.0.jar pkg:maven/org.apache.commons/commons-lang3@3.12.0 ',
    '/app/shaded-app-1.0.0.jar pkg:maven/shaded-app/shaded-app@1.0.0 ',
    '/srv/app.war pkg:maven/commons-codec/commons-codec@1.15 /srv/app.war!/WEB-INF/lib/commons-codec-1.15.jar',
    '/srv/app.war pkg:maven/commons-io/commons-io@2.11.0 /srv/app.war!/WEB-INF/lib/shaded-app-1.0.0.jar',
    '/srv/app.war pkg:maven/org.apache.commons/commons-lang3@3.12.0 /srv/app.war!/WEB-INF/lib/shaded-app-1.0.0.jar',
    '/srv/app.war pkg:maven/shaded-app/shaded-app@1.0.0 /srv/app.war!/WEB-INF/lib/shaded-app-1.0.0.jar',
  ]);
  assert.deepEqual(r.problems, []);
});

const pom = (a: string, v: string): string => `groupId=org.example\nartifactId=${a}\nversion=${v}\n`;
const nest = (depth: number): Buffer => {
  let jar = writeZip([{ name: 'META-INF/maven/org.example/leaf/pom.properties', data: pom('leaf', '1') }]);
  for (let i = depth; i > 0; i--) {
    jar = writeZip([{ name: `META-INF/maven/org.example/level${i}/pom.properties`, data: pom(`level${i}`, '1') }, { name: `lib/inner${i}.jar`, data: jar, stored: true }]);
  }
  return jar;
};
const hostile = [
  { name: 'not a zip', file: Buffer.from('#!/bin/sh\necho hello\n'), want: [], codes: ['SBOM_FILE_INVALID'] },
  { name: 'truncated zip', file: nest(0).subarray(0, 40), want: [], codes: ['SBOM_FILE_INVALID'] },
  { name: 'garbage pom.properties beside a good one', file: writeZip([{ name: 'META-INF/maven/g/bad/pom.properties', data: 'no coordinates here' }, { name: 'META-INF/maven/g/good/pom.properties', data: pom('good', '2') }]), want: ['pkg:maven/org.example/good@2'], codes: ['SBOM_FILE_INVALID'] },
  { name: 'zip bomb: declared size past the metadata cap', file: writeZip([{ name: 'META-INF/maven/g/a/pom.properties', data: Buffer.alloc(2 << 20, 0x61) }]), want: [], codes: ['LIMIT_EXCEEDED'] },
  { name: 'zip bomb: inflates past its declared size', file: writeZip([{ name: 'META-INF/maven/g/a/pom.properties', data: Buffer.alloc(100_000, 0x61), declaredSize: 100 }]), want: [], codes: ['SBOM_FILE_INVALID'] },
  { name: 'zip bomb: ratio no deflate stream reaches', file: writeZip([{ name: 'lib/x.jar', data: 'tiny', stored: true, declaredSize: 50_000_000 }]), want: [], codes: ['LIMIT_EXCEEDED'] },
  { name: 'nested-jar depth bomb', file: nest(6), want: ['level1', 'level2', 'level3', 'level4'].map((l) => `pkg:maven/org.example/${l}@1`), codes: ['LIMIT_EXCEEDED'] },
  { name: 'prefixed executable jar (launcher script before the zip)', file: writeZip([{ name: 'META-INF/maven/g/a/pom.properties', data: pom('boot', '3') }], Buffer.from('#!/bin/sh\nexec java -jar "$0"\n')), want: ['pkg:maven/org.example/boot@3'], codes: [] },
] as const;
for (const c of hostile) {
  test(`java-archive hostile: ${c.name}`, async () => {
    const r = await javaCataloger.catalog(dirTree(writeTree({ 'app/x.jar': c.file })), {});
    assert.deepEqual(r.packages.map((p) => p.purl).sort(), [...c.want].sort());
    assert.deepEqual(r.problems.map((p) => p.code), c.codes);
    assert.ok(r.problems.every((p) => p.path === '/app/x.jar'));
  });
}

test('java-archive: a file the tree will not open is a problem, not a crash', async () => {
  const tree = dirTree(writeTree({ 'a/ok-1.0.jar': writeZip([{ name: 'x', data: 'y' }]) }));
  const refusing = { ...tree, open: async () => Promise.reject(new BosunError('LIMIT_EXCEEDED', 'over the capture cap')) };
  const r = await javaCataloger.catalog(refusing, {});
  assert.equal(r.packages.length, 0);
  assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['/a/ok-1.0.jar', 'LIMIT_EXCEEDED']]);
});

test('java-archive: a zip64 archive (Info-ZIP `zip -fz`) is read through its zip64 end records', async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'bosun-zip64-'));
  const src = path.join(work, 'src');
  mkdirSync(path.join(src, 'META-INF/maven/org.example/z64'), { recursive: true });
  writeFileSync(path.join(src, 'META-INF/maven/org.example/z64/pom.properties'), pom('z64', '6.4'));
  mkdirSync(path.join(work, 'tree/app'), { recursive: true });
  execFileSync('zip', ['-qr', '-fz', path.join(work, 'tree/app/z64.jar'), '.'], { cwd: src });
  const raw = readFileSync(path.join(work, 'tree/app/z64.jar'));
  assert.ok(raw.includes(Buffer.from([0x50, 0x4b, 6, 6])), 'zip wrote a zip64 end record');
  const r = await javaCataloger.catalog(dirTree(path.join(work, 'tree')), {});
  assert.deepEqual(r.packages.map((p) => p.purl), ['pkg:maven/org.example/z64@6.4']);
  assert.deepEqual(r.problems, []);
});
