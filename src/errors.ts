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

  // --- vuln: versions
  VULN_VERSION_INVALID: { meaning: 'a version string is not valid in its ecosystem (or the ecosystem is unknown)', hint: 'check the package version and ecosystem; docs/versions.md lists the accepted syntax per ecosystem' },
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
