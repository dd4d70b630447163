import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isBosunError } from '../../src/errors.js';
import { fileEntry, indexTar, openEntry, safeEntryName } from '../../src/oci/tar-index.js';
import { bytesOf } from '../helpers/oci-image.js';
import { tempDir } from '../helpers/temp-dir.js';

// GNU tar (Debian's) writes the reference archives: long names the ustar, gnu and pax ways.
const longDir = `${'d'.repeat(90)}/${'e'.repeat(80)}`;
for (const format of ['gnu', 'posix', 'ustar'] as const) {
  test(`indexTar reads GNU tar --format=${format}: long names, links, sizes`, async () => {
    const dir = await tempDir(`tar-${format}`);
    const src = join(dir, 'src');
    await mkdir(join(src, longDir), { recursive: true });
    const content = Buffer.from('z'.repeat(70_000));
    await writeFile(join(src, longDir, 'file.bin'), content);
    await symlink('file.bin', join(src, longDir, 'link'));
    execFileSync('tar', [`--format=${format}`, '-C', src, '-cf', join(dir, 'x.tar'), '.']);
    const idx = await indexTar(join(dir, 'x.tar'), 'x');
    const file = fileEntry(idx, `${longDir}/file.bin`, 'x');
    assert.equal(file.size, content.length);
    assert.deepEqual(await bytesOf(openEntry(idx, file)), content);
    const link = idx.entries.get(`${longDir}/link`);
    assert.equal(link?.kind, 'symlink');
    assert.equal(link?.linkTarget, 'file.bin');
    assert.throws(() => fileEntry(idx, `${longDir}/link`, 'x'), (e) => isBosunError(e, 'OCI_SOURCE_INVALID'));
  });
}

test('indexTar stops at the entry limit', async () => {
  const dir = await tempDir('tar-limit');
  await writeFile(join(dir, 'a'), 'a');
  await writeFile(join(dir, 'b'), 'b');
  execFileSync('tar', ['-C', dir, '-cf', join(dir, 'x.tar'), 'a', 'b']);
  await assert.rejects(indexTar(join(dir, 'x.tar'), 'x', { maxEntries: 1, maxMetaBytes: 1024 }), (e) => isBosunError(e, 'LIMIT_EXCEEDED'));
});

const names = [
  { name: 'manifest.json', ok: 'manifest.json' },
  { name: './blobs/sha256/ab', ok: 'blobs/sha256/ab' },
  { name: '../x', ok: undefined },
  { name: 'a/../../x', ok: undefined },
  { name: '/etc/passwd', ok: undefined },
  { name: 'a//b', ok: undefined },
  { name: 'a\\..\\b', ok: undefined },
  { name: '', ok: undefined },
] as const;
for (const c of names) {
  test(`safeEntryName ${JSON.stringify(c.name)}`, () => {
    if (c.ok) assert.equal(safeEntryName(c.name, 't'), c.ok);
    else assert.throws(() => safeEntryName(c.name, 't'), (e) => isBosunError(e, 'OCI_PATH_UNSAFE'));
  });
}
