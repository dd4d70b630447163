import { BosunError } from '../errors.js';

/** Where an image comes from, as the user named it. */
export type SourceSpec =
  | { kind: 'registry'; reference: string }
  | { kind: 'oci-layout'; dir: string; selector?: string }
  | { kind: 'docker-archive'; file: string; selector?: string };

// Split at the first ':' as skopeo does: a docker-archive selector may itself contain ':'.
function splitSelector(rest: string): { path: string; selector?: string } {
  const i = rest.indexOf(':');
  return i < 0 ? { path: rest } : { path: rest.slice(0, i), selector: rest.slice(i + 1) || undefined };
}

/**
 * Parses the image argument every image-taking command accepts: a plain reference (a
 * registry), skopeo's transports `docker://REF`, `oci:DIR[:TAG]`, `docker-archive:FILE[:REF]`,
 * and Trivy's `--input FILE` (a docker-archive or OCI archive tar; `-` is stdin).
 * Throws INPUT_INVALID for an empty argument or both an argument and --input.
 */
export function parseSourceSpec(arg: string | undefined, input?: string): SourceSpec {
  if (input !== undefined) {
    if (arg) throw new BosunError('INPUT_INVALID', `give either an image argument ("${arg}") or --input, not both`);
    return { kind: 'docker-archive', file: input };
  }
  if (!arg) throw new BosunError('INPUT_INVALID', 'no image given: name a reference, oci:DIR, docker-archive:FILE, or use --input FILE');
  if (arg.startsWith('docker://')) return { kind: 'registry', reference: arg.slice('docker://'.length) };
  for (const [prefix, kind] of [['oci:', 'oci-layout'], ['docker-archive:', 'docker-archive']] as const) {
    if (!arg.startsWith(prefix)) continue;
    const { path, selector } = splitSelector(arg.slice(prefix.length));
    if (!path) throw new BosunError('INPUT_INVALID', `"${arg}": ${prefix} needs a path`);
    return kind === 'oci-layout' ? { kind, dir: path, selector } : { kind, file: path, selector };
  }
  return { kind: 'registry', reference: arg };
}
