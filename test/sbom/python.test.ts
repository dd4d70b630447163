import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBosunError } from '../../src/errors.js';
import { normalizePythonName, parseCoreMetadata, pythonCataloger, pythonLicenses } from '../../src/sbom/catalogers/python.js';
import { dirTree } from '../helpers/dir-tree.js';
import { sixMetadata, writeTree } from '../helpers/sbom-fixture.js';

const nameCases = [
  { n: 'six', want: 'six' },
  { n: 'Foo_Bar.baz', want: 'foo-bar-baz' },
  { n: 'zope.interface', want: 'zope-interface' },
  { n: 'A__-._B', want: 'a-b' },
] as const;
for (const c of nameCases) {
  test(`PEP 503 name ${c.n}`, () => assert.equal(normalizePythonName(c.n), c.want));
}

const md = (extra: string): string => `Metadata-Version: 2.1\nName: x\nVersion: 1.0\n${extra}\n\nbody`;
const licenseCases = [
  { name: 'License-Expression wins', text: md('License-Expression: MIT OR Apache-2.0\nLicense: BSD\nClassifier: License :: OSI Approved :: ISC License (ISCL)'), want: ['MIT OR Apache-2.0'] },
  { name: 'short License', text: md('License: Apache 2.0'), want: ['Apache-2.0'] },
  { name: 'license text falls back to classifiers', text: md('License: Copyright (c) 2010\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License'), want: ['MIT'] },
  { name: 'UNKNOWN falls back to classifiers', text: md('License: UNKNOWN\nClassifier: License :: OSI Approved :: BSD License'), want: ['LicenseRef-BSD-License'] },
  { name: 'two classifiers', text: md('Classifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: Apache Software License'), want: ['MIT', 'LicenseRef-Apache-Software-License'] },
  { name: 'none', text: md('Summary: nothing'), want: [] },
] as const;
for (const c of licenseCases) {
  test(`python license: ${c.name}`, () => assert.deepEqual(pythonLicenses(parseCoreMetadata(c.text)), c.want));
}

const badMetadata = [
  { name: 'no Version', text: 'Metadata-Version: 2.1\nName: x\n' },
  { name: 'garbage header', text: 'this is not a header\n' },
] as const;
for (const c of badMetadata) {
  test(`core metadata rejects ${c.name}`, () => assert.throws(() => parseCoreMetadata(c.text), (e) => isBosunError(e, 'SBOM_FILE_INVALID')));
}

test('python-installed: dist-info with RECORD, egg-info dir and egg-info file; problems located', async () => {
  const site = 'usr/lib/python3/dist-packages';
  const tree = dirTree(writeTree({
    [`${site}/six-1.16.0.dist-info/METADATA`]: sixMetadata,
    [`${site}/six-1.16.0.dist-info/RECORD`]: 'six.py,sha256=abc,34549\n"odd,name.py",,\n../../../bin/six-tool,,\n',
    [`${site}/idna-3.3.egg-info/PKG-INFO`]: 'Metadata-Version: 2.1\nName: idna\nVersion: 3.3\nLicense: BSD-3-Clause\n',
    [`${site}/chardet-5.1.0.egg-info`]: 'Metadata-Version: 2.1\nName: chardet\nVersion: 5.1.0\nLicense: LGPL\n',
    [`${site}/broken-1.0.dist-info/METADATA`]: Buffer.from([0x50, 0x4b, 3, 4, 0, 0]),
  }));
  const r = await pythonCataloger.catalog(tree, {});
  assert.deepEqual(r.packages.map((p) => [p.purl, p.licenses]), [
    ['pkg:pypi/chardet@5.1.0', ['LicenseRef-LGPL']],
    ['pkg:pypi/idna@3.3', ['BSD-3-Clause']],
    ['pkg:pypi/six@1.16.0', ['MIT']],
  ]);
  assert.deepEqual(r.packages[2]?.metadata.files, [`/${site}/six.py`, `/${site}/odd,name.py`, '/usr/bin/six-tool']);
  assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [[`/${site}/broken-1.0.dist-info/METADATA`, 'SBOM_FILE_INVALID']]);
});
