import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { isBosunError } from '../../src/errors.js';
import { envelopeToJson, pae, parseEnvelope, signEnvelope, verifyEnvelope } from '../../src/sign/dsse.js';

// spec: secure-systems-lab/dsse protocol.md, the worked PAE example.
test('PAE matches the DSSE spec example', () => {
  assert.equal(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
});

test('PAE counts bytes, not characters', () => {
  assert.equal(pae('t/ü', Buffer.from('€')).toString(), 'DSSEv1 4 t/ü 3 €');
});

const keyTypes = [
  { name: 'P-256', make: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  { name: 'P-384', make: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }) },
  { name: 'Ed25519', make: () => generateKeyPairSync('ed25519') },
] as const;
for (const k of keyTypes) {
  test(`DSSE ${k.name}: sign, JSON round-trip, verify; tampering and other keys fail`, () => {
    const { privateKey, publicKey } = k.make();
    const other = k.make().publicKey;
    const env = signEnvelope('application/vnd.in-toto+json', Buffer.from('{"a":1}'), privateKey);
    const back = parseEnvelope(Buffer.from(JSON.stringify(envelopeToJson(env))));
    assert.deepEqual(verifyEnvelope(back, [other, publicKey]), { keyIndex: 1 });
    assert.throws(() => verifyEnvelope(back, [other]), (e) => isBosunError(e, 'SIGN_DSSE_INVALID'));
    const tampered = { ...back, payload: Buffer.from('{"a":2}') };
    assert.throws(() => verifyEnvelope(tampered, [publicKey]), (e) => isBosunError(e, 'SIGN_DSSE_INVALID'));
    const retyped = { ...back, payloadType: 'text/plain' };
    assert.throws(() => verifyEnvelope(retyped, [publicKey]), (e) => isBosunError(e, 'SIGN_DSSE_INVALID'));
  });
}

const badEnvelopes = [
  { name: 'not JSON', raw: '{', code: 'SIGN_DSSE_INVALID' },
  { name: 'no signatures', raw: JSON.stringify({ payloadType: 't', payload: 'AA==', signatures: [] }), code: 'SIGN_DSSE_INVALID' },
  { name: '33 signatures', raw: JSON.stringify({ payloadType: 't', payload: 'AA==', signatures: Array.from({ length: 33 }, () => ({ sig: 'AA==' })) }), code: 'SIGN_DSSE_INVALID' },
  { name: 'payload not base64', raw: JSON.stringify({ payloadType: 't', payload: '!!', signatures: [{ sig: 'AA==' }] }), code: 'SIGN_DSSE_INVALID' },
] as const;
for (const c of badEnvelopes) {
  test(`parseEnvelope rejects ${c.name}`, () => {
    assert.throws(() => parseEnvelope(Buffer.from(c.raw)), (e) => isBosunError(e, c.code));
  });
}
