import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBosunError } from '../../src/errors.js';
import { checkIdentity, identityPolicy } from '../../src/sign/identity.js';

const gh = 'https://token.actions.githubusercontent.com';
const wf = 'https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main';
const cases = [
  { name: 'exact match', flags: { identity: wf, issuer: gh }, signer: { subject: wf, issuer: gh }, ok: true },
  { name: 'exact differs by suffix', flags: { identity: wf, issuer: gh }, signer: { subject: `${wf}x`, issuer: gh }, ok: false },
  { name: 'regexp matches whole value', flags: { identityRegexp: 'https://github\\.com/org/.*', issuer: gh }, signer: { subject: wf, issuer: gh }, ok: true },
  // cosign's unanchored regexp would accept this; bosun anchors.
  { name: 'regexp embedded in attacker URL', flags: { identityRegexp: 'github\\.com/org/', issuer: gh }, signer: { subject: 'https://evil.example/github.com/org/x', issuer: gh }, ok: false },
  { name: 'regexp prefix only', flags: { identityRegexp: 'https://github\\.com/org/', issuer: gh }, signer: { subject: wf, issuer: gh }, ok: false },
  { name: 'alternation stays anchored', flags: { identityRegexp: 'a@x\\.com|b@x\\.com', issuer: gh }, signer: { subject: 'evil-b@x.com', issuer: gh }, ok: false },
  { name: 'issuer regexp anchored', flags: { identity: wf, issuerRegexp: 'https://token\\.actions' }, signer: { subject: wf, issuer: gh }, ok: false },
  { name: 'issuer regexp full', flags: { identity: wf, issuerRegexp: 'https://token\\.actions\\.githubusercontent\\.com' }, signer: { subject: wf, issuer: gh }, ok: true },
  { name: 'no SAN never matches .*', flags: { identityRegexp: '.*', issuerRegexp: '.*' }, signer: { issuer: gh }, ok: false },
  { name: 'no issuer never matches .*', flags: { identityRegexp: '.*', issuerRegexp: '.*' }, signer: { subject: wf }, ok: false },
  { name: 'wrong issuer', flags: { identity: wf, issuer: 'https://accounts.google.com' }, signer: { subject: wf, issuer: gh }, ok: false },
] as const;
for (const c of cases) {
  test(`identity: ${c.name} -> ${c.ok ? 'ok' : 'mismatch'}`, () => {
    const policy = identityPolicy(c.flags);
    if (c.ok) assert.doesNotThrow(() => checkIdentity(policy, c.signer));
    else assert.throws(() => checkIdentity(policy, c.signer), (e) => isBosunError(e, 'SIGN_IDENTITY_MISMATCH'));
  });
}

const badFlags = [
  { name: 'both exact and regexp', flags: { identity: 'a', identityRegexp: 'a', issuer: 'b' } },
  { name: 'no identity', flags: { issuer: 'b' } },
  { name: 'no issuer', flags: { identity: 'a' } },
  { name: 'invalid regexp', flags: { identityRegexp: '(', issuer: 'b' } },
] as const;
for (const c of badFlags) {
  test(`identity flags: ${c.name} is INPUT_INVALID`, () => {
    assert.throws(() => identityPolicy(c.flags), (e) => isBosunError(e, 'INPUT_INVALID'));
  });
}
