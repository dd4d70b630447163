import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as bosun from '../src/index.js';

// The stable entry points DESIGN.md names; removing one is a breaking change.
const entryPoints = [
  'BosunError', 'parseReference', 'parseDigest', 'openImage', 'squash', 'rootfsTree', 'inspectImage',
  'ImageBuilder', 'BlobCache', 'copy', 'catalog', 'readSbom',
  'generateKeyPair', 'verifyBlob', 'evaluate', 'runTests', 'compareVersions',
] as const;

for (const name of entryPoints) {
  test(`src/index.ts exports ${name}`, () => assert.equal(typeof (bosun as Record<string, unknown>)[name], 'function'));
}

test('src/index.ts exports the SBOM codecs', () => {
  assert.equal(typeof bosun.spdxJson.write, 'function');
  assert.equal(typeof bosun.cycloneDxJson.read, 'function');
});

test('src/index.ts exports the sources as namespaces', () => {
  assert.equal(typeof bosun.remote.image, 'function');
  assert.equal(typeof bosun.layout.image, 'function');
  assert.equal(typeof bosun.archive.image, 'function');
});
