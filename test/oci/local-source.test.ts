import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { isBosunError } from '../../src/errors.js';
import * as archive from '../../src/oci/archive.js';
import * as layout from '../../src/oci/layout.js';
import { openLocalImage, parseLocalSource } from '../../src/oci/local-source.js';
import { twoLayerImage } from '../helpers/oci-image.js';
import { tempDir } from '../helpers/temp-dir.js';

const d = `sha256:${'a'.repeat(64)}`;
const cases = [
  { spec: 'oci:/x/lay', want: { transport: 'oci', dir: '/x/lay' } },
  { spec: 'oci:lay:v1.2', want: { transport: 'oci', dir: 'lay', tag: 'v1.2' } },
  { spec: `oci:lay:@${d}`, want: { transport: 'oci', dir: 'lay', digest: d } },
  { spec: 'docker-archive:a.tar', want: { transport: 'docker-archive', file: 'a.tar' } },
  { spec: 'docker-archive:a.tar:busybox:1.36', want: { transport: 'docker-archive', file: 'a.tar', ref: 'busybox:1.36' } },
  { spec: 'docker-archive:a.tar:@1', want: { transport: 'docker-archive', file: 'a.tar', index: 1 } },
  { spec: 'docker.io/library/busybox:1.36', want: undefined },
  { spec: 'busybox', want: undefined },
] as const;
for (const c of cases) {
  test(`parseLocalSource ${c.spec}`, () => assert.deepEqual(parseLocalSource(c.spec), c.want));
}

for (const spec of ['oci:', 'oci:lay:@sha256:zz', 'docker-archive:']) {
  test(`parseLocalSource rejects ${spec}`, () => assert.throws(() => parseLocalSource(spec), (e) => isBosunError(e, 'INPUT_INVALID')));
}

test('openLocalImage: transports, a directory, a file and stdin give the same image', async () => {
  const dir = await tempDir('local');
  const img = await twoLayerImage();
  await layout.write(join(dir, 'lay'), img, { tag: 'v1' });
  await archive.write(join(dir, 'a.tar'), img, { tags: ['app:v1'] });
  const fromArchive = await (await archive.image(join(dir, 'a.tar'))).digest();
  const specs = [
    [`oci:${join(dir, 'lay')}:v1`, await img.digest()],
    [join(dir, 'lay'), await img.digest()],
    [`docker-archive:${join(dir, 'a.tar')}:app:v1`, fromArchive],
    [join(dir, 'a.tar'), fromArchive],
    ['-', fromArchive],
  ] as const;
  for (const [spec, want] of specs) {
    const got = await openLocalImage(spec, { stdin: () => createReadStream(join(dir, 'a.tar')) });
    assert.equal(await got.image.digest(), want, spec);
    assert.deepEqual((await got.image.config()).rootfs.diff_ids, (await img.config()).rootfs.diff_ids);
    await got.close();
  }
  await assert.rejects(openLocalImage(join(dir, 'nope')), (e) => isBosunError(e, 'IO_FAILED'));
});
