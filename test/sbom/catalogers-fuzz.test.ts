// Arbitrary input to every parser added with the rpm, Ruby, PHP, .NET, Python-lockfile and go.mod
// catalogers: each either returns or throws a BosunError, never anything else, and never hangs.
import { test } from 'node:test';
import fc from 'fast-check';
import { isBosunError } from '../../src/errors.js';
import { parseDepsJson } from '../../src/sbom/catalogers/dotnet.js';
import { parseGoMod } from '../../src/sbom/catalogers/go-mod.js';
import { parseComposerLock, parseInstalledJson } from '../../src/sbom/catalogers/php.js';
import { parsePipfileLock, parsePoetryLock, parseUvLock } from '../../src/sbom/catalogers/python-lock.js';
import { parseRequirements } from '../../src/sbom/catalogers/python-requirements.js';
import { readBdbRecords } from '../../src/sbom/catalogers/rpm-bdb.js';
import { parseRpmHeader } from '../../src/sbom/catalogers/rpm-header.js';
import { readNdbRecords } from '../../src/sbom/catalogers/rpm-ndb.js';
import { parseGemfileLock, parseGemspec } from '../../src/sbom/catalogers/ruby.js';

function onlyBosunErrors(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (!isBosunError(err)) throw err;
  }
}

const textParsers = { parseDepsJson, parseGoMod, parseComposerLock, parseInstalledJson, parsePipfileLock, parsePoetryLock, parseUvLock, parseRequirements, parseGemfileLock, parseGemspec };
for (const [name, parse] of Object.entries(textParsers)) {
  test(`${name}: arbitrary text throws only BosunError`, () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => onlyBosunErrors(() => parse(s))), { numRuns: 300 });
  });
}

/** Bytes shaped enough to get past the magic checks, so the deeper bounds checks are exercised. */
const headerish = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 600 }), fc.uint8Array({ maxLength: 1200 })).map(([il, dl, rest]) => {
  const b = Buffer.alloc(8 + rest.length);
  b.writeInt32BE(il, 0);
  b.writeInt32BE(dl, 4);
  Buffer.from(rest).copy(b, 8);
  return b;
});
const binaryParsers = [
  { name: 'parseRpmHeader', arb: headerish, parse: parseRpmHeader },
  { name: 'readBdbRecords', arb: fc.uint8Array({ minLength: 512, maxLength: 4096 }).map((a) => { const b = Buffer.from(a); b.writeUInt32LE(0x061561, 12); b.writeUInt32LE(512, 20); b[25] = 8; return b; }), parse: readBdbRecords },
  { name: 'readNdbRecords', arb: fc.uint8Array({ minLength: 4096, maxLength: 8192 }).map((a) => { const b = Buffer.from(a); b.write('RpmP', 0, 'latin1'); b.writeUInt32LE(0, 4); b.writeUInt32LE(1, 12); return b; }), parse: readNdbRecords },
] as const;
for (const c of binaryParsers) {
  test(`${c.name}: arbitrary bytes throw only BosunError`, () => {
    fc.assert(fc.property(c.arb, (b: Buffer) => onlyBosunErrors(() => c.parse(b))), { numRuns: 100 });
  });
}
