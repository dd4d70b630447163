import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { isBosunError } from '../../src/errors.js';
import { conformanceVerify } from '../../src/sign/conformance.js';
import { sigstoreVectors } from './shared.js';

// sigstore-conformance bundle-verify cases (upstream data; see the vectors README and
// UPSTREAM-LAYOUT.md). Each runs twice, as upstream does: artifact PATH and `sha256:` DIGEST.
const dir = path.join(sigstoreVectors, 'conformance-bundle-verify');
const expected = z
  .object({ cases: z.array(z.object({ name: z.string(), expected: z.enum(['verify', 'reject']), artifact: z.string(), trustedRoot: z.string(), mode: z.enum(['key', 'keyless']), identity: z.string().nullable(), issuer: z.string().nullable() })) })
  .parse(JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')));

test('the conformance table has all 70 cases (21 verify, 49 reject)', () => {
  assert.equal(expected.cases.length, 70);
  assert.equal(expected.cases.filter((c) => c.expected === 'verify').length, 21);
});

type Case = (typeof expected.cases)[number];
async function outcome(c: Case, mode: 'path' | 'digest'): Promise<'verify' | 'reject'> {
  const artifact = path.join(dir, c.artifact);
  const fileOrDigest = mode === 'path' ? artifact : `sha256:${createHash('sha256').update(readFileSync(artifact)).digest('hex')}`;
  const keyPath = path.join(dir, c.name, 'key.pub');
  try {
    await conformanceVerify({
      bundle: path.join(dir, c.name, 'bundle.sigstore.json'),
      fileOrDigest,
      trustedRoot: path.join(dir, c.trustedRoot),
      ...(c.mode === 'key' ? { key: keyPath } : { certificateIdentity: c.identity ?? '', certificateOidcIssuer: c.issuer ?? '' }),
    });
    return 'verify';
  } catch (err) {
    assert.ok(isBosunError(err), `case ${c.name} threw a non-BosunError: ${String(err)}`);
    return 'reject';
  }
}

for (const mode of ['path', 'digest'] as const) {
  test(`conformance bundle-verify, artifact as ${mode}: every case gives its expected result`, async () => {
    const wrong: string[] = [];
    for (const c of expected.cases) if ((await outcome(c, mode)) !== c.expected) wrong.push(c.name);
    assert.deepEqual(wrong, []);
  });
}

// The two cases @sigstore/verify 3.x alone gets wrong, pinned so a dependency bump that fixes
// them upstream (or a bosun change that breaks them) is noticed.
test('rekor2-dsse-happy-path: @sigstore/verify 3.x alone rejects it, bosun verifies it', async () => {
  const c = expected.cases.find((x) => x.name === 'rekor2-dsse-happy-path') as Case;
  const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(path.join(dir, c.trustedRoot), 'utf8')));
  const bundle = bundleFromJSON(JSON.parse(readFileSync(path.join(dir, c.name, 'bundle.sigstore.json'), 'utf8')));
  assert.throws(() => new Verifier(toTrustMaterial(root)).verify(toSignedEntity(bundle)), /digest mismatch/);
  assert.equal(await outcome(c, 'path'), 'verify');
});

test('trust-root-tlog-missing-validity-start_fail: refused as SIGN_TRUSTED_ROOT_INVALID', async () => {
  const c = expected.cases.find((x) => x.name === 'trust-root-tlog-missing-validity-start_fail') as Case;
  await assert.rejects(
    conformanceVerify({ bundle: path.join(dir, c.name, 'bundle.sigstore.json'), fileOrDigest: path.join(dir, c.artifact), trustedRoot: path.join(dir, c.trustedRoot), certificateIdentity: c.identity ?? '', certificateOidcIssuer: c.issuer ?? '' }),
    (e) => isBosunError(e, 'SIGN_TRUSTED_ROOT_INVALID'),
  );
});

test('a happy-path case fails with any other identity', async () => {
  const c = expected.cases.find((x) => x.name === 'happy-path-v0.3') as Case;
  await assert.rejects(
    conformanceVerify({ bundle: path.join(dir, c.name, 'bundle.sigstore.json'), fileOrDigest: path.join(dir, c.artifact), trustedRoot: path.join(dir, c.trustedRoot), certificateIdentity: `${c.identity ?? ''}x`, certificateOidcIssuer: c.issuer ?? '' }),
    (e) => isBosunError(e, 'SIGN_IDENTITY_MISMATCH'),
  );
});
