import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isBosunError } from '../../src/errors.js';
import { bufferSource } from '../../src/sbom/catalogers/byte-source.js';
import { readElf } from '../../src/sbom/catalogers/elf.js';
import { readGoBuildInfo } from '../../src/sbom/catalogers/go-buildinfo.js';
import { parseGoMod } from '../../src/sbom/catalogers/go-mod.js';
import { pomCoordinates } from '../../src/sbom/catalogers/java-meta.js';
import { readZipDirectory, readZipEntry } from '../../src/sbom/catalogers/zip.js';
import { goPointerElf } from '../helpers/elf-writer.js';
import { writeZip } from '../helpers/zip-writer.js';

/** Runs `fn`; anything it throws must be a BosunError (never a RangeError from a bad offset). */
async function onlyBosunErrors(fn: () => Promise<unknown> | unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    assert.ok(isBosunError(err), `threw ${String(err)}`);
  }
}

/** Flips bytes of a valid input at random positions, so the damage lands inside real structures. */
const damaged = (valid: Buffer) =>
  fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }).map((edits) => {
    const b = Buffer.from(valid);
    for (const [at, v] of edits) b[at] = v;
    return b;
  });

const zip = writeZip([{ name: 'META-INF/maven/g/a/pom.properties', data: 'groupId=g\nartifactId=a\nversion=1\n' }, { name: 'lib/x.jar', data: 'inner', stored: true }]);
test('zip reader: damaged archives throw only BosunError', async () => {
  await fc.assert(fc.asyncProperty(damaged(zip), async (b) => onlyBosunErrors(async () => {
    const src = bufferSource(b, 'x.jar');
    for (const e of await readZipDirectory(src, 'x.jar', { maxEntries: 100, maxDirectoryBytes: 1 << 20 })) await readZipEntry(src, e, 'x.jar', 1 << 20);
  })), { numRuns: 300 });
});

const elf = goPointerElf({ goVersion: 'go1.16.15', modinfo: `${'x'.repeat(16)}path\ta\nmod\ta\tv1.0.0\t\n${'y'.repeat(16)}` });
test('ELF and Go build info readers: damaged binaries throw only BosunError', async () => {
  await fc.assert(fc.asyncProperty(damaged(elf), async (b) => onlyBosunErrors(async () => {
    const src = bufferSource(b, 'bin', 1 << 20);
    const parsed = await readElf(src, 'bin');
    if (parsed) await readGoBuildInfo(src, parsed, 'bin');
  })), { numRuns: 300 });
});

test('text parsers (go.mod, pom.properties): arbitrary text throws only BosunError', async () => {
  const syntax = fc.constantFrom('require ', 'replace ', 'module ', '(', ')', '"', '\\', '`', '=>', ' ', '\n', 'a/b', 'v1.0', '// indirect', '=', 'groupId', 'version', ':');
  await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: syntax, maxLength: 60 })), async (s) => {
    await onlyBosunErrors(() => parseGoMod(s));
    await onlyBosunErrors(() => pomCoordinates(s));
  }), { numRuns: 300, examples: [['"\\groupId"']] });
});
