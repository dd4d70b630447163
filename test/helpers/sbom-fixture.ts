// Small text fixtures for cataloger and codec tests, composed from real package facts (Debian
// bookworm's zlib1g, libbz2-1.0 and libselinux1 control data; npm's ms and @babel/code-frame;
// PyPI's six). The real-package differential tests live in test/sbom/real-packages.test.ts.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function writeTree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'bosun-sbom-'));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

export const debianOsRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

export const dpkgStatus = `Package: libbz2-1.0
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 105
Maintainer: Anibal Monsalve Salazar <anibal@debian.org>
Architecture: amd64
Multi-Arch: same
Source: bzip2 (1.0.8-5)
Version: 1.0.8-5+b1
Depends: libc6 (>= 2.4)
Description: high-quality block-sorting file compressor library - runtime
 This package contains libbzip2 which is used by the bzip2 compressor.

Package: libselinux1
Status: install ok installed
Architecture: amd64
Source: libselinux (3.4-1)
Version: 3.4-1+b6
Depends: libc6 (>= 2.34), libpcre2-8-0 (>= 10.22) | zlib1g
Description: SELinux runtime shared libraries

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
Description: only its conffiles remain

Package: zlib1g
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Provides: libz1
Depends: libc6 (>= 2.14)
Description: compression library - runtime
`;

export const zlibCopyright = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: zlib
Source: http://zlib.net/

Files: *
Copyright: 1995-2013 Jean-loup Gailly and Mark Adler
License: Zlib
 This software is provided 'as-is', without any express or implied
 .
 warranty.
`;

export const bzip2Copyright = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: bzip2

Files: *
Copyright: 1996-2010 Julian R Seward
License: BSD-variant

Files: debian/*
Copyright: 2006-2019 Anibal Monsalve Salazar
License: GPL-2+
`;

export const sixMetadata = `Metadata-Version: 2.1
Name: six
Version: 1.16.0
Summary: Python 2 and 3 compatibility utilities
Home-page: https://github.com/benjaminp/six
Author: Benjamin Peterson
License: MIT
Classifier: Programming Language :: Python :: 3
Classifier: License :: OSI Approved :: MIT License
Requires-Python: >=2.7, !=3.0.*, !=3.1.*, !=3.2.*

Six is a Python 2 and 3 compatibility library.
`;

/** A Debian-like tree with dpkg, npm (installed + lockfile with a dev dependency) and Python packages. */
export function syntheticDebianTree(): string {
  return writeTree({
    'etc/os-release': debianOsRelease,
    'var/lib/dpkg/status': dpkgStatus,
    'var/lib/dpkg/info/zlib1g:amd64.list': '/.\n/usr\n/usr/lib/x86_64-linux-gnu/libz.so.1.2.13\n',
    'usr/share/doc/zlib1g/copyright': zlibCopyright,
    'usr/share/doc/libbz2-1.0/copyright': bzip2Copyright,
    'usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA': sixMetadata,
    'usr/lib/python3/dist-packages/six-1.16.0.dist-info/RECORD': 'six.py,sha256=x,34549\nsix-1.16.0.dist-info/METADATA,,\n',
    'app/package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { ms: '2.1.3' }, devDependencies: { '@babel/code-frame': '7.26.2' } }),
    'app/package-lock.json': JSON.stringify({
      name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true,
      packages: {
        '': { name: 'app', version: '1.0.0', dependencies: { ms: '2.1.3' }, devDependencies: { '@babel/code-frame': '7.26.2' } },
        'node_modules/@babel/code-frame': { version: '7.26.2', dev: true, license: 'MIT' },
        'node_modules/ms': { version: '2.1.3', license: 'MIT' },
      },
    }),
    'app/node_modules/ms/package.json': JSON.stringify({ name: 'ms', version: '2.1.3', license: 'MIT' }),
    'app/node_modules/@babel/code-frame/package.json': JSON.stringify({ name: '@babel/code-frame', version: '7.26.2', license: 'MIT' }),
    // not a package: a test fixture shipped inside one
    'app/node_modules/ms/test/fixtures/package.json': JSON.stringify({ name: 'not-a-dep', version: '0.0.0' }),
  });
}

/** A dpkg status file of bookworm's libexpat1 at `expatVersion` and liblzma5 5.4.1-1, as shipped. */
export function bookwormExpatXzStatusWith(expatVersion: string): string {
  return `Package: libexpat1
Status: install ok installed
Architecture: amd64
Source: expat
Version: ${expatVersion}
Description: XML parsing C library - runtime library

Package: liblzma5
Status: install ok installed
Architecture: amd64
Source: xz-utils
Version: 5.4.1-1
Description: XZ-format compression library
`;
}

/**
 * libexpat1 2.5.0-1+deb12u1 and liblzma5 5.4.1-1: the scan tests' packages, whose expected
 * findings are worked out from the records' ranges in test/cli/scan-commands.test.ts.
 */
export const bookwormExpatXzStatus = bookwormExpatXzStatusWith('2.5.0-1+deb12u1');
