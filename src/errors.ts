/**
 * The one table of error codes. Every error bosun throws is a `BosunError` (or a subclass
 * callers may `instanceof`) carrying one of these codes. `docs/errors.md` is generated from
 * this table by `scripts/gen-error-docs.ts`; a test fails when the two disagree.
 *
 * Each entry: `meaning` (what went wrong, for the docs), `hint` (what the user can do, printed
 * by the CLI), and `status` where the error maps onto an HTTP answer.
 * Codes are `AREA_WHAT`; keep each area's codes together and sorted.
 */
export const codes = {
  // --- general
  INTERNAL: { meaning: 'a bug in bosun', hint: 'report it with the command line and the stack trace' },
  INPUT_INVALID: { status: 400, meaning: 'a command-line argument or option is not valid', hint: 'see `bosun <command> --help` for the accepted values' },
  IO_FAILED: { meaning: 'reading or writing a local file failed', hint: 'check that the path exists and is readable (or writable)' },
  LIMIT_EXCEEDED: { status: 413, meaning: 'an input is larger than bosun accepts (size, count, depth or ratio)', hint: 'the input is unusually large or hostile; raise the limit only if you trust its source' },
  ABORTED: { meaning: 'the operation was cancelled or timed out', hint: 'retry, or raise --timeout' },

  // --- oci: references, digests, manifests
  OCI_REFERENCE_INVALID: { status: 400, meaning: 'an image reference does not follow the docker/distribution grammar', hint: 'write references as [registry/]repository[:tag][@sha256:<64 hex>], lowercase repository' },
  OCI_DIGEST_INVALID: { status: 400, meaning: 'a digest string is malformed or uses an unsupported algorithm', hint: 'digests look like sha256:<64 hex> or sha512:<128 hex>' },
  OCI_DIGEST_MISMATCH: { meaning: 'content does not hash to the digest it was fetched by', hint: 'the source served corrupt or substituted content; do not trust it, and check the registry or file' },
  OCI_SIZE_MISMATCH: { meaning: 'content is not the size its descriptor declares', hint: 'the source served truncated or padded content; check the registry or file' },
  OCI_MANIFEST_INVALID: { status: 400, meaning: 'a manifest or index is not valid JSON of a known schema', hint: 'check that the source holds an OCI or Docker v2 schema 2 image' },
  OCI_MANIFEST_UNSUPPORTED: { status: 415, meaning: 'the manifest media type is not supported (for example Docker schema 1)', hint: 'convert the image, e.g. `skopeo copy --format v2s2 SRC DST`, or rebuild it with a current builder' },
  OCI_MANIFEST_UNKNOWN: { status: 404, meaning: 'no manifest for that tag or digest', hint: 'check the tag or digest; `skopeo list-tags docker://<repo>` lists tags' },
  OCI_BLOB_UNKNOWN: { status: 404, meaning: 'a blob named by a manifest is missing from the source', hint: 'the image is incomplete at its source; re-push or re-save it' },
  OCI_PLATFORM_NOT_FOUND: { status: 404, meaning: 'the image index has no manifest for the requested platform', hint: 'pick one of the platforms listed in the message with --platform os/arch[/variant]' },
  OCI_CONFIG_INVALID: { meaning: 'the image config blob is not valid JSON of the image-spec config schema', hint: 'the image is malformed; rebuild it' },
  OCI_SOURCE_INVALID: { status: 400, meaning: 'an image source (layout directory, archive, rootfs) is malformed', hint: 'check the path; `docker save`, `skopeo copy` and `umoci` produce valid sources' },

  // --- oci: layers and file trees
  OCI_LAYER_INVALID: { meaning: 'a layer is not a readable (compressed) tar stream', hint: 'the layer is corrupt or truncated; re-pull or rebuild the image' },
  OCI_LAYER_UNSUPPORTED: { meaning: 'a layer uses a compression or media type bosun does not read', hint: 'layers may be uncompressed, gzip or zstd tar' },
  OCI_PATH_UNSAFE: { meaning: 'a path or symlink in an image points outside the image root', hint: 'the image is hostile or broken; the entry was not followed' },
  OCI_SYMLINK_LOOP: { meaning: 'symlinks in an image form a loop or a chain that is too long', hint: 'the image is hostile or broken; the entry was not followed' },

  // --- oci: registries
  REGISTRY_UNAUTHORIZED: { status: 401, meaning: 'the registry refused the credentials, or wants some', hint: 'log in with `docker login` (bosun reads ~/.docker/config.json), or set BOSUN_USERNAME / BOSUN_PASSWORD' },
  REGISTRY_DENIED: { status: 403, meaning: 'the registry denied access to the repository', hint: 'check that your account may pull (or push to) this repository' },
  REGISTRY_TOOMANYREQUESTS: { status: 429, meaning: 'the registry is rate-limiting and retries ran out', hint: 'wait and retry, log in for a higher limit, or use a pull-through cache' },
  REGISTRY_UNAVAILABLE: { status: 503, meaning: 'the registry could not be reached or kept failing', hint: 'check the host name, network and TLS settings; --insecure allows plain HTTP and self-signed certificates' },
  REGISTRY_PROTOCOL: { status: 502, meaning: 'the registry answered something the distribution API does not allow', hint: 'the registry is not OCI distribution compatible, or a proxy is rewriting answers' },
  REGISTRY_CREDENTIALS: { meaning: 'reading credentials (docker config or a credential helper) failed', hint: 'check ~/.docker/config.json and that the docker-credential-<helper> program runs' },

  // --- cache
  CACHE_FAILED: { meaning: 'the local blob cache could not be read or written', hint: 'check --cache-dir permissions and free space, or run `bosun clean`' },

  // --- oci: image sources (layout, docker-archive)
  OCI_SELECTOR_AMBIGUOUS: { status: 400, meaning: 'an OCI layout or docker-archive holds several images and none was named', hint: 'name one: oci:DIR:TAG, or docker-archive:FILE:REPO:TAG (or :@N for the Nth image); the message lists what is there' },

  // --- oci: squashed file trees (layers)
  OCI_FILE_NOT_CAPTURED: { meaning: 'a file\'s content was not captured while reading the layers (its path matched no registered glob, or it is a hard link to such a file)', hint: 'add a glob for the file (and for hard link or symlink targets) to the cataloger that reads it' },

  // --- policy: Kyverno-compatible policies, `bosun policy test` / `apply`
  POLICY_INVALID: { status: 400, meaning: 'a policy document is not a valid Kyverno ClusterPolicy or Policy', hint: 'check the policy against the kyverno.io/v1 schema; the message names the document and the field' },
  POLICY_INPUT_INVALID: { status: 400, meaning: 'a resource, values or userinfo file given to the policy engine is malformed', hint: 'resources must be Kubernetes YAML documents with apiVersion, kind and metadata.name; values and userinfo files need apiVersion and kind' },
  POLICY_TEST_INVALID: { meaning: 'a kyverno-test.yaml file is malformed or names a file that cannot be read', hint: 'a test needs apiVersion cli.kyverno.io/v1alpha1, kind Test, policies, resources and results; paths are relative to the test file' },

  // --- sign: keys, bundles, DSSE/in-toto, verification
  SIGN_KEY_INVALID: { meaning: 'a key file is not a PEM key bosun can read (bad PEM, JSON envelope or KDF parameters)', hint: 'pass a key made by `bosun generate-key-pair` or `cosign generate-key-pair`, or a PKCS#8 / PKIX PEM file' },
  SIGN_KEY_PASSWORD_MISSING: { meaning: 'an encrypted private key needs a password and none was available', hint: 'set COSIGN_PASSWORD or BOSUN_PASSWORD, or run in a terminal to be prompted' },
  SIGN_KEY_PASSWORD_WRONG: { meaning: 'the password does not decrypt the private key', hint: 'check COSIGN_PASSWORD / BOSUN_PASSWORD; the key cannot be recovered without its password' },
  SIGN_KEY_SEC1: { meaning: 'the private key is SEC1 (`EC PRIVATE KEY`) where PKCS#8 is expected', hint: 'convert it: `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.p8.pem`, or import it with `cosign import-key-pair`' },
  SIGN_KEY_UNSUPPORTED: { meaning: 'the key type or curve is not supported for signing or verification', hint: 'use ECDSA P-256 (the cosign default); P-384, Ed25519 and RSA public keys verify too' },
  SIGN_BUNDLE_INVALID: { status: 400, meaning: 'a Sigstore bundle is malformed, of an unknown version, or has absurd counts of entries', hint: 'check that the file was written by cosign, bosun or another Sigstore client (`--bundle` output)' },
  SIGN_TRUSTED_ROOT_INVALID: { meaning: 'a trusted root file is malformed or has authorities without a validity start', hint: 'fetch a current trusted_root.json from the Sigstore TUF repository (or your private instance)' },
  SIGN_VERIFY_FAILED: { meaning: 'a signature, certificate chain, transparency log entry or timestamp did not verify', hint: 'the artifact, bundle or trusted material do not belong together; do not trust the artifact' },
  SIGN_IDENTITY_MISMATCH: { meaning: 'the signature verified but the signer identity or issuer is not the one required', hint: 'check --certificate-identity(-regexp) and --certificate-oidc-issuer(-regexp); regexps are anchored' },
  SIGN_DSSE_INVALID: { meaning: 'a DSSE envelope is malformed or none of its signatures verify', hint: 'the attestation is corrupt or was signed by another key' },
  SIGN_STATEMENT_INVALID: { meaning: 'a DSSE payload is not a valid in-toto Statement', hint: 'the attestation is malformed; do not trust it' },
  SIGN_SUBJECT_MISMATCH: { meaning: 'the in-toto statement does not name the digest being verified as a subject', hint: 'the attestation is about another artifact; do not use it for this one' },
  SIGN_PREDICATE_TYPE_MISMATCH: { meaning: 'the in-toto predicateType is not exactly the requested type', hint: 'pass the right --type (cosign names like `spdxjson` or a full URI)' },

  // --- sbom: catalogers and codecs
  SBOM_FILE_INVALID: { meaning: 'a package database or manifest in the scanned tree could not be parsed (reported as a located problem; the scan goes on)', hint: 'the file is corrupt, truncated or not what its path suggests; the packages it lists are missing from the SBOM' },
  SBOM_DOCUMENT_INVALID: { status: 400, meaning: 'an SBOM document is not valid SPDX or CycloneDX JSON of a supported version', hint: 'bosun reads SPDX 2.2/2.3 JSON and CycloneDX 1.4-1.6 JSON' },
  SBOM_FORMAT_UNKNOWN: { status: 400, meaning: 'the requested SBOM format is not one bosun writes', hint: 'use spdx-json or cyclonedx-json' },

  // --- registry server (`bosun registry serve`); src/registry/errors.ts maps each onto the
  // distribution-spec wire code (the part after REGISTRY_SERVE_)
  REGISTRY_SERVE_BLOB_UNKNOWN: { status: 404, meaning: 'the served registry has no such blob in that repository', hint: 'push the blob first, or check the repository name and digest' },
  REGISTRY_SERVE_BLOB_UPLOAD_INVALID: { status: 400, meaning: 'an upload request is out of order, overlapping or otherwise not acceptable', hint: 'restart the upload; chunks must be sent in order with Content-Range start equal to the bytes received so far' },
  REGISTRY_SERVE_BLOB_UPLOAD_UNKNOWN: { status: 404, meaning: 'the upload session id is unknown, finished or cancelled', hint: 'start a new upload with POST /v2/<name>/blobs/uploads/' },
  REGISTRY_SERVE_DIGEST_INVALID: { status: 400, meaning: 'a digest is malformed, or content does not hash to the digest given', hint: 'digests look like sha256:<64 hex>; check that the uploaded bytes are the ones the digest was computed over' },
  REGISTRY_SERVE_MANIFEST_BLOB_UNKNOWN: { status: 400, meaning: 'a pushed manifest references a blob or manifest the repository does not hold', hint: 'push every layer, the config and every child manifest before the manifest that references them' },
  REGISTRY_SERVE_MANIFEST_INVALID: { status: 400, meaning: 'a pushed manifest is malformed, of an unsupported type (e.g. Docker schema 1) or too large', hint: 'push an OCI or Docker v2 schema 2 manifest of at most 4 MiB' },
  REGISTRY_SERVE_MANIFEST_UNKNOWN: { status: 404, meaning: 'the served registry has no manifest for that tag or digest', hint: 'check the tag or digest; GET /v2/<name>/tags/list lists tags' },
  REGISTRY_SERVE_NAME_INVALID: { status: 400, meaning: 'a repository name does not match the distribution-spec name grammar', hint: 'names are lowercase path components of [a-z0-9] separated by ., _, __ or -, joined by /, at most 255 characters' },
  REGISTRY_SERVE_NAME_UNKNOWN: { status: 404, meaning: 'the served registry has no repository of that name', hint: 'push something to the repository first; GET /v2/_catalog lists repositories' },
  REGISTRY_SERVE_PAGINATION_NUMBER_INVALID: { status: 400, meaning: 'the n query parameter is not a non-negative integer', hint: 'pass n as a decimal integer; larger values are capped by the server' },
  REGISTRY_SERVE_RANGE_INVALID: { status: 416, meaning: 'a Range or Content-Range header cannot be satisfied', hint: 'ask for bytes inside the blob, and send upload chunks in order' },
  REGISTRY_SERVE_SIZE_INVALID: { status: 400, meaning: 'the request body length does not match the length declared', hint: 'check Content-Length and Content-Range against the bytes sent' },
  REGISTRY_SERVE_TAG_INVALID: { status: 400, meaning: 'a tag does not match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}', hint: 'use a tag of at most 128 characters from letters, digits, _, . and -, not starting with . or -' },
  REGISTRY_SERVE_UNSUPPORTED: { status: 405, meaning: 'the served registry does not support that operation or endpoint', hint: 'see docs/registry.md for the implemented API' },
  REGISTRY_SERVE_STORE_FAILED: { status: 500, meaning: 'the registry blob store or metadata database failed (disk full, permissions, corruption)', hint: 'check the --data directory: free space, permissions, and the server log' },
  REGISTRY_CONFIG_INVALID: { meaning: 'the registry configuration file (registry.yaml) or a serve flag is not valid', hint: 'fix the named key; docs/registry.md lists every key, its type and its default' },
  // --- vuln: versions
  VULN_VERSION_INVALID: { meaning: 'a version string is not valid in its ecosystem (or the ecosystem is unknown)', hint: 'check the package version and ecosystem; docs/versions.md lists the accepted syntax per ecosystem' },
  // --- sign: images in registries (sign, attest, verify, tree, download)
  REGISTRY_CONFLICT: { status: 409, meaning: 'a tag changed between reading and writing it, and retrying did not settle it', hint: 'another client is writing the same signature or referrers tag; run the command again' },
  SIGN_NO_SIGNATURES: { meaning: 'the image has no signatures or attestations bosun could find (no `.sig`/`.att` tag and no Sigstore bundle referrer)', hint: 'sign it with `bosun sign` / `bosun attest` (or cosign), and check the image reference and registry' },
  SIGN_PREDICATE_INVALID: { status: 400, meaning: 'an attestation predicate file is not a JSON object', hint: 'pass a JSON document (an SBOM, a vulnerability report, a provenance predicate) with --predicate, or - for stdin' },
  SIGN_ANNOTATION_INVALID: { status: 400, meaning: 'an -a/--annotations value is not of the form key=value', hint: 'write -a key=value; repeat -a for several' },
  // --- vuln: advisory database (`bosun db update|import|status`, OSV import)
  VULN_ADVISORY_INVALID: { meaning: 'an advisory is not a valid OSV 1.x JSON record (reported per record during an import; the import goes on)', hint: 'the record is malformed; fix or remove it, or report it to the advisory source' },
  VULN_ARCHIVE_INVALID: { meaning: 'an advisory archive is not a readable zip (bad structure, CRC mismatch, unsafe or oversized entries)', hint: 'the archive is corrupt or truncated; download it again (`bosun db update`) or check the file given to `bosun db import`' },
  VULN_DB_CORRUPT: { meaning: 'the vulnerability database file cannot be read or fails its integrity check', hint: 'run `bosun db update` (or `bosun db import`) to rebuild it; the file is replaced atomically' },
  VULN_DB_DOWNLOAD_FAILED: { status: 502, meaning: 'an advisory archive could not be downloaded from the mirror (network error or HTTP status)', hint: 'check --db-repository / BOSUN_DB_REPOSITORY and the network; the previous database is still in place' },
  VULN_DB_INTEGRITY: { meaning: 'a downloaded archive does not match its Content-Length or published sha256, or a newly built database failed verification', hint: 'the mirror served truncated or altered content; retry, and check the mirror; the previous database is still in place' },
  VULN_DB_MISSING: { meaning: 'no vulnerability database exists and updating it is not allowed (--skip-db-update or --offline)', hint: 'run `bosun db update`, or `bosun db import <all.zip|dir>` where there is no network, then scan again' },
  VULN_DB_SCHEMA: { meaning: 'the vulnerability database was written with a schema version this bosun does not read', hint: 'run `bosun db update` to rebuild it, or upgrade bosun if the database is newer than it' },
  VULN_DB_STALE: { meaning: 'the vulnerability database is older than --db-max-age and updating it failed', hint: 'run `bosun db update`, or pass --offline or --skip-db-update to scan with the old data' },
  // admission webhook (src/admission)
  ADMISSION_REVIEW_INVALID: { status: 400, meaning: 'the request body is not an admission.k8s.io/v1 AdmissionReview with a request', hint: 'point the webhook configuration at /validate or /mutate; the API server sends the right body' },
  ADMISSION_TIMEOUT: { status: 504, meaning: 'the admission decision did not complete within the webhook time budget', hint: 'check registry latency and the audit log; the failure policy decided the request' },
  ADMISSION_NAMESPACE_LOOKUP_FAILED: { meaning: 'the labels of the request namespace could not be looked up', hint: 'check the namespaces file (or the cluster connection); requests fail closed meanwhile' },
  ADMISSION_CONFIG_INVALID: { meaning: 'the admission server configuration (policies, certificates, exceptions) is not usable', hint: 'check the --policies directory and the --cert / --key files' },

  // --- vuln: matching, suppression, reports
  VULN_IGNOREFILE_INVALID: { status: 400, meaning: 'an ignore file (.bosunignore / .trivyignore) has a malformed line', hint: 'write one id per line, optionally followed by exp:YYYY-MM-DD; # starts a comment' },
  VULN_VEX_INVALID: { status: 400, meaning: 'a VEX document is not valid OpenVEX or CycloneDX VEX JSON', hint: 'pass an OpenVEX 0.2 document or a CycloneDX 1.4-1.6 BOM with vulnerabilities[].analysis' },
  REPORT_FORMAT_UNKNOWN: { status: 400, meaning: 'the requested report format is not one bosun writes', hint: 'use table, json, sarif, cyclonedx or cosign-vuln' },
  // --- registry: pull-through cache (src/registry/proxy)
  REGISTRY_PROXY_UPSTREAM_UNAVAILABLE: { status: 503, meaning: 'the pull-through cache could not get the content from its upstream (down, timed out, 5xx, or refusing the configured credentials) and holds no cached copy', hint: 'check the upstream in the proxy: section of registry.yaml (URL, credentials, caFile) and the server log; cached content is still served' },
  REGISTRY_PROXY_UPSTREAM_TOOMANYREQUESTS: { status: 429, meaning: 'the pull-through cache\'s upstream is rate-limiting and the content is not cached yet', hint: 'wait and retry, or give the proxy upstream credentials with a higher limit' },
  REGISTRY_PROXY_UPSTREAM_INVALID: { status: 502, meaning: 'the upstream served content that failed verification (digest or size mismatch, oversized or malformed manifest); nothing was cached', hint: 'the upstream (or something between) is corrupting or altering content; check it before trusting it' },

  // --- registry: access control of `bosun registry serve` (wire codes UNAUTHORIZED and DENIED)
  REGISTRY_AUTH_UNAUTHORIZED: { status: 401, meaning: 'the served registry wants credentials, or refused the ones given (wrong password, unknown account, invalid or expired token)', hint: 'log in (`docker login`, `skopeo --creds`, BOSUN_USERNAME / BOSUN_PASSWORD); WWW-Authenticate names the token realm and the scope needed' },
  REGISTRY_AUTH_DENIED: { status: 403, meaning: 'the served registry knows the caller, but the account may not do that action on that repository', hint: 'ask an administrator to grant it: `bosun registry users grant <name> <pattern> <actions>`' },
  REGISTRY_AUTH_TOKEN_INVALID: { status: 401, meaning: 'a bearer token is malformed, not ES256, not signed by this registry\'s key, for another audience or issuer, expired or not yet valid', hint: 'get a fresh token from the realm in WWW-Authenticate; tokens from another registry are never accepted' },
  REGISTRY_AUTH_SCOPE_INVALID: { status: 400, meaning: 'a token request names another service or has a malformed or excessive scope parameter', hint: 'ask for scopes as type:name:actions, e.g. repository:team/app:pull,push (at most 32), with the service from WWW-Authenticate' },
  REGISTRY_AUTH_ACCOUNT_EXISTS: { status: 409, meaning: 'a user or robot account of that name already exists', hint: 'pick another name, or remove the account first (`bosun registry users remove` / `robots remove`)' },
  REGISTRY_AUTH_ACCOUNT_UNKNOWN: { status: 404, meaning: 'no user or robot account of that name', hint: 'list accounts with `bosun registry users list` / `bosun registry robots list`; robot names start with robot$' },
  REGISTRY_AUTH_NAME_INVALID: { status: 400, meaning: 'an account name is not 1-64 characters of [a-z0-9._-] starting with a letter or digit', hint: 'use a lowercase name such as alice or ci-builder; robots are named robot$<name> automatically' },
  REGISTRY_AUTH_GRANT_INVALID: { status: 400, meaning: 'a permission names an unknown action or a malformed repository pattern', hint: 'actions are pull, push, delete, admin (comma-separated); patterns are repository names with * (one path component) and ** (any depth)' },
  REGISTRY_AUTH_PASSWORD_INVALID: { status: 400, meaning: 'a password is empty, shorter than 8 or longer than 1024 bytes, or its file cannot be read', hint: 'pass a password of 8-1024 bytes with --password-stdin, or omit it to have one generated' },
  REGISTRY_AUTH_KEY_INVALID: { meaning: 'the registry\'s token signing key file is unreadable, not a P-256 private key, or readable by others', hint: 'restore the key, `chmod 600 <data>/token-key.pem`, or delete it to generate a new one (tokens issued before become invalid)' },

  // --- registry: guards (immutable tag rules, rate limiting, TLS)
  REGISTRY_TAG_IMMUTABLE: { status: 403, meaning: 'an immutable tag rule forbids re-pushing, moving or deleting that tag (answered as the spec\'s DENIED)', hint: 'push a new tag instead; `bosun registry rules list --data DIR` shows the rules, and the message names the one that matched' },
  REGISTRY_RATE_LIMITED: { status: 429, meaning: 'the client sent more requests than its rate limit allows (answered as TOOMANYREQUESTS with Retry-After)', hint: 'wait the Retry-After seconds, or raise rateLimit.read / rateLimit.write in registry.yaml' },
  REGISTRY_RULE_INVALID: { status: 400, meaning: 'an immutable tag rule is malformed: an empty or overlong pattern, or a glob bosun does not accept', hint: 'patterns use * (within a path segment), ** (across segments), ? and {a,b}; at most 255 characters' },
  REGISTRY_RULE_UNKNOWN: { status: 404, meaning: 'no immutable tag rule has that id or those patterns', hint: 'list the rules with `bosun registry rules list --data DIR`' },
  REGISTRY_TLS_INVALID: { meaning: 'the registry TLS certificate or key cannot be read, is not PEM, or the two do not match', hint: 'pass a PEM certificate (chain) and its private key with --tls-cert/--tls-key or tls.cert/tls.key' },
  // --- registry lifecycle: garbage collection and retention (`bosun registry gc|retention`)
  REGISTRY_GC_BUSY: { meaning: 'another GC or retention run holds the registry: a live process owns the SQLite data directory, or another replica is collecting on PostgreSQL', hint: 'on SQLite stop the server and run the command again, or let the server do it (gc.every / retention.every in registry.yaml); on PostgreSQL wait for the running collection to finish' },
  REGISTRY_GC_UNSUPPORTED: { meaning: 'the registry metadata store cannot run garbage collection or retention', hint: 'use the SQLite (default) or PostgreSQL metadata store' },

  // --- registry supply-chain features: audit log, webhooks, metrics, scan on push (src/registry/{audit,webhooks,metrics,scan})
  REGISTRY_AUDIT_CHAIN_BROKEN: { meaning: 'the registry audit log hash chain does not verify: an entry was edited, removed or reordered', hint: 'the message names the first broken entry; compare an earlier export (`bosun registry audit --format jsonl`) from that sequence number on, and treat the registry as tampered with' },
  REGISTRY_SCAN_PULL_BLOCKED: { status: 403, meaning: 'scan.blockPullsAbove refused a manifest pull: the image has findings at or above that severity, or has no scan result and unscanned images are denied', hint: 'fix or suppress the findings and push a new image, or see GET /api/v1/scans/<repo>/<digest> for the findings' },
  // --- sign: keyless signing (Fulcio, Rekor, TSA; OIDC identity tokens)
  SIGN_KEYLESS_TOKEN_MISSING: { meaning: 'keyless signing needs an OIDC identity token and none was given or found in the CI environment', hint: 'pass --key for key signing, or --identity-token <jwt|file>, or set SIGSTORE_ID_TOKEN; in GitHub Actions grant `permissions: id-token: write`' },
  SIGN_KEYLESS_TOKEN_INVALID: { meaning: 'the identity token is not a JWT with a JSON payload holding iss, sub (or email) and exp', hint: 'pass the raw token (three base64url parts separated by dots) or a file holding only it' },
  SIGN_KEYLESS_TOKEN_EXPIRED: { meaning: 'the identity token has expired (or is not valid yet)', hint: 'fetch a fresh token; CI tokens live minutes, so request one right before signing' },
  SIGN_KEYLESS_TOKEN_FETCH_FAILED: { status: 502, meaning: 'the CI provider did not hand out an identity token (GitHub Actions ACTIONS_ID_TOKEN_REQUEST_URL answered with an error or no token)', hint: 'check the workflow has `permissions: id-token: write`, or pass --identity-token' },
  SIGN_KEYLESS_FULCIO_FAILED: { status: 502, meaning: 'Fulcio refused or failed to issue a signing certificate', hint: 'check --fulcio-url and that the token audience is `sigstore` and its issuer is one Fulcio trusts; nothing was pushed' },
  SIGN_KEYLESS_REKOR_FAILED: { status: 502, meaning: 'Rekor refused or failed to record the signature in the transparency log', hint: 'check --rekor-url and retry; nothing was pushed' },
  SIGN_KEYLESS_TSA_FAILED: { status: 502, meaning: 'the RFC 3161 timestamp authority refused or failed to timestamp the signature', hint: 'check --timestamp-server-url and retry; nothing was pushed' },
  SIGN_KEYLESS_UNTRUSTED: { meaning: 'the certificate, log entry or timestamp the signing services returned do not verify against --trusted-root', hint: 'the --fulcio-url / --rekor-url / --timestamp-server-url services are not the ones the trusted root describes; nothing was pushed' },
} as const satisfies Record<string, { status?: number; meaning: string; hint: string }>;

export type ErrorCode = keyof typeof codes;

/** Every error bosun throws. `code` is stable; `message` says what failed, on which input, and why. */
export class BosunError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BosunError';
    this.code = code;
    const entry: { status?: number; hint: string } = codes[code];
    this.hint = entry.hint;
    this.status = entry.status;
  }
}

/** True for a BosunError with one of `wanted` codes (any code when none given). */
export function isBosunError(err: unknown, ...wanted: ErrorCode[]): err is BosunError {
  return err instanceof BosunError && (wanted.length === 0 || wanted.includes(err.code));
}

/** Strips userinfo from a URL so a message never carries credentials. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
