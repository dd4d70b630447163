import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBosunError } from '../../src/errors.js';
import { parseBundle } from '../../src/sign/bundle.js';
import { parseEnvelope } from '../../src/sign/dsse.js';
import { parseStatement } from '../../src/sign/intoto.js';
import { parsePublicKey } from '../../src/sign/keys/load.js';
import { parseSimpleSigning } from '../../src/sign/simple-signing.js';
import { parseTrustedRoot } from '../../src/sign/trusted-root.js';

// Parsers of outside input must fail only with a BosunError, whatever the bytes.
const parsers: ReadonlyArray<{ name: string; parse: (b: Uint8Array) => unknown }> = [
  { name: 'parseBundle', parse: (b) => parseBundle(b) },
  { name: 'parseEnvelope', parse: (b) => parseEnvelope(b) },
  { name: 'parseStatement', parse: (b) => parseStatement(b) },
  { name: 'parseTrustedRoot', parse: (b) => parseTrustedRoot(b) },
  { name: 'parseSimpleSigning', parse: (b) => parseSimpleSigning(b) },
  { name: 'parsePublicKey', parse: (b) => parsePublicKey(`-----BEGIN PUBLIC KEY-----\n${Buffer.from(b).toString('base64')}\n-----END PUBLIC KEY-----\n`, 'fuzz') },
];

// JSON-shaped input reaches deeper than raw bytes: objects with the fields the parsers look at.
const jsonish = fc
  .record(
    {
      mediaType: fc.constantFrom('application/vnd.dev.sigstore.bundle.v0.3+json', 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', 'x'),
      payloadType: fc.string(),
      payload: fc.base64String(),
      signatures: fc.array(fc.record({ sig: fc.base64String(), keyid: fc.string() }), { maxLength: 3 }),
      _type: fc.constantFrom('https://in-toto.io/Statement/v1', 'x'),
      subject: fc.array(fc.record({ digest: fc.dictionary(fc.string(), fc.string()) }), { maxLength: 3 }),
      predicateType: fc.anything(),
      verificationMaterial: fc.anything(),
      critical: fc.anything(),
      tlogs: fc.anything(),
    },
    { requiredKeys: [] },
  )
  .map((o) => Buffer.from(JSON.stringify(o)));

for (const p of parsers) {
  test(`${p.name} throws only BosunError on arbitrary input`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), jsonish), (bytes) => {
        try {
          p.parse(bytes);
        } catch (err) {
          assert.ok(isBosunError(err), `${p.name} threw ${String(err)}`);
        }
      }),
      { numRuns: 300 },
    );
  });
}
