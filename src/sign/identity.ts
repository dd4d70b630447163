import { BosunError } from '../errors.js';

/** A required value: exact string, or a regular expression that must match the WHOLE value. */
export type Matcher = { readonly kind: 'exact'; readonly value: string } | { readonly kind: 'regexp'; readonly pattern: string };

/** Who must have signed (keyless): certificate SAN and OIDC issuer. */
export interface IdentityPolicy {
  readonly subject: Matcher;
  readonly issuer: Matcher;
}

/** What a verified certificate says about its signer. */
export interface SignerIdentity {
  readonly subject?: string;
  readonly issuer?: string;
}

/**
 * Builds a policy from cosign-style flags. Exactly one of identity / identityRegexp and one of
 * issuer / issuerRegexp is required. Throws INPUT_INVALID otherwise or for a bad regexp.
 */
export function identityPolicy(flags: { identity?: string; identityRegexp?: string; issuer?: string; issuerRegexp?: string }): IdentityPolicy {
  return {
    subject: matcher('certificate identity', flags.identity, flags.identityRegexp),
    issuer: matcher('certificate OIDC issuer', flags.issuer, flags.issuerRegexp),
  };
}

function matcher(what: string, exact: string | undefined, pattern: string | undefined): Matcher {
  if ((exact === undefined) === (pattern === undefined)) throw new BosunError('INPUT_INVALID', `give exactly one ${what}: an exact value or a regexp`);
  if (exact !== undefined) return { kind: 'exact', value: exact };
  compileAnchored(pattern as string);
  return { kind: 'regexp', pattern: pattern as string };
}

/**
 * Compiles `pattern` so it must match the whole input. cosign (Go regexp.MatchString) does not
 * anchor, so `github.com/org/` there also accepts `https://evil.example/github.com/org/x`;
 * bosun anchors on purpose. Throws INPUT_INVALID for an invalid pattern.
 */
export function compileAnchored(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch (err) {
    throw new BosunError('INPUT_INVALID', `invalid regular expression '${pattern}'`, { cause: err });
  }
}

function matches(m: Matcher, value: string | undefined): boolean {
  // A certificate without the field never satisfies a requirement, not even `.*`.
  if (value === undefined || value === '') return false;
  return m.kind === 'exact' ? m.value === value : compileAnchored(m.pattern).test(value);
}

function describe(m: Matcher): string {
  return m.kind === 'exact' ? `'${m.value}'` : `/^(?:${m.pattern})$/`;
}

/** Checks a signer against the policy. Throws SIGN_IDENTITY_MISMATCH naming what differed. */
export function checkIdentity(policy: IdentityPolicy, signer: SignerIdentity): void {
  if (!matches(policy.subject, signer.subject)) {
    throw new BosunError('SIGN_IDENTITY_MISMATCH', `certificate identity '${signer.subject ?? '(none)'}' does not match ${describe(policy.subject)}`);
  }
  if (!matches(policy.issuer, signer.issuer)) {
    throw new BosunError('SIGN_IDENTITY_MISMATCH', `certificate OIDC issuer '${signer.issuer ?? '(none)'}' does not match ${describe(policy.issuer)}`);
  }
}
