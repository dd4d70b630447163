import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { isBosunError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import { signEnvelope, verifyEnvelope } from '../../src/sign/dsse.js';
import { buildStatement, checkStatement, IN_TOTO_PAYLOAD_TYPE, parseStatement, predicateTypeFor } from '../../src/sign/intoto.js';

const typeCases = [
  { in: 'spdxjson', want: 'https://spdx.dev/Document' },
  { in: 'spdx', want: 'https://spdx.dev/Document' },
  { in: 'cyclonedx', want: 'https://cyclonedx.org/bom' },
  { in: 'vuln', want: 'https://cosign.sigstore.dev/attestation/vuln/v1' },
  { in: 'slsaprovenance', want: 'https://slsa.dev/provenance/v0.2' },
  { in: 'slsaprovenance1', want: 'https://slsa.dev/provenance/v1' },
  { in: 'custom', want: 'https://cosign.sigstore.dev/attestation/v1' },
  { in: 'openvex', want: 'https://openvex.dev/ns' },
  { in: 'https://example.com/my-predicate/v1', want: 'https://example.com/my-predicate/v1' },
  { in: 'toString', want: 'INPUT_INVALID' }, // prototype keys are not shorthands
  { in: 'sbom', want: 'INPUT_INVALID' },
] as const;
for (const c of typeCases) {
  test(`predicateTypeFor(${c.in}) -> ${c.want}`, () => {
    if (c.want === 'INPUT_INVALID') assert.throws(() => predicateTypeFor(c.in), (e) => isBosunError(e, 'INPUT_INVALID'));
    else assert.equal(predicateTypeFor(c.in), c.want);
  });
}

const artifact = digestOf('the image manifest');
const other = digestOf('another image');
const sbomStatement = buildStatement([{ name: 'registry.example/app', digest: artifact }], predicateTypeFor('spdxjson'), { spdxVersion: 'SPDX-2.3' });

test('statement build/parse round-trip keeps subjects and type', () => {
  const parsed = parseStatement(Buffer.from(JSON.stringify(sbomStatement)));
  assert.equal(parsed._type, 'https://in-toto.io/Statement/v1');
  assert.deepEqual(parsed.subject, [{ name: 'registry.example/app', digest: { sha256: artifact.slice(7) } }]);
  assert.doesNotThrow(() => checkStatement(parsed, { digest: artifact, predicateType: 'https://spdx.dev/Document' }));
});

test('statement about another digest is SIGN_SUBJECT_MISMATCH', () => {
  assert.throws(() => checkStatement(sbomStatement, { digest: other }), (e) => isBosunError(e, 'SIGN_SUBJECT_MISMATCH'));
});

// CVE-2022-35929: cosign verify-attestation --type accepted a validly signed attestation of ANY
// predicate type. A signed vuln attestation must not satisfy a request for an SPDX SBOM.
test('CVE-2022-35929: a signed attestation of another predicateType is refused', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const vuln = buildStatement([{ name: 'app', digest: artifact }], predicateTypeFor('vuln'), { scanner: {} });
  const env = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(vuln)), privateKey);
  verifyEnvelope(env, [publicKey]);
  const statement = parseStatement(env.payload);
  assert.throws(() => checkStatement(statement, { digest: artifact, predicateType: predicateTypeFor('spdxjson') }), (e) => isBosunError(e, 'SIGN_PREDICATE_TYPE_MISMATCH'));
});

const nearMisses = ['https://spdx.dev/Document/', 'https://spdx.dev/document', 'https://spdx.dev/Document ', 'https://spdx.dev/Documentx'];
for (const t of nearMisses) {
  test(`CVE-2022-35929: predicateType ${JSON.stringify(t)} is not 'https://spdx.dev/Document'`, () => {
    const s = { ...sbomStatement, predicateType: t };
    assert.throws(() => checkStatement(s, { digest: artifact, predicateType: 'https://spdx.dev/Document' }), (e) => isBosunError(e, 'SIGN_PREDICATE_TYPE_MISMATCH'));
  });
}

// CVE-2026-39395 class: a signed payload that is not a well-formed statement must be refused,
// never treated as "no predicate" or "any subject".
const hex = artifact.slice(7);
const malformed: ReadonlyArray<{ name: string; payload: unknown; code: ErrorCode }> = [
  { name: 'not JSON', payload: '{"_type":', code: 'SIGN_STATEMENT_INVALID' },
  { name: 'unknown _type', payload: { _type: 'https://in-toto.io/Statement/v9', subject: [{ digest: { sha256: hex } }], predicateType: 'x:y' }, code: 'SIGN_STATEMENT_INVALID' },
  { name: 'no subject', payload: { _type: 'https://in-toto.io/Statement/v1', subject: [], predicateType: 'x:y' }, code: 'SIGN_STATEMENT_INVALID' },
  { name: 'subject digest not hex', payload: { _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { sha256: 'zz' } }], predicateType: 'x:y' }, code: 'SIGN_STATEMENT_INVALID' },
  { name: 'predicateType missing', payload: { _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { sha256: hex } }] }, code: 'SIGN_STATEMENT_INVALID' },
  { name: 'predicateType not a string', payload: { _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { sha256: hex } }], predicateType: ['https://spdx.dev/Document'] }, code: 'SIGN_STATEMENT_INVALID' },
  { name: 'predicate is an array', payload: { _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { sha256: hex } }], predicateType: 'x:y', predicate: [] }, code: 'SIGN_STATEMENT_INVALID' },
];
for (const c of malformed) {
  test(`CVE-2026-39395: malformed statement (${c.name}) is refused`, () => {
    const raw = typeof c.payload === 'string' ? c.payload : JSON.stringify(c.payload);
    assert.throws(() => parseStatement(Buffer.from(raw)), (e) => isBosunError(e, c.code));
  });
}
