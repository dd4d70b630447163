import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { BosunError } from '../errors.js';
import * as archive from './archive.js';
import { isDigest } from './digest.js';
import * as layout from './layout.js';
import type { Image, Platform } from './types.js';

/**
 * A local image source, as skopeo's transports spell them:
 * - `oci:DIR[:TAG|@DIGEST]` → `{ transport: 'oci', dir, tag | digest }`
 * - `docker-archive:FILE[:REPO:TAG|:@N]` → `{ transport: 'docker-archive', file, ref | index }`
 * As in containers/image, the path ends at the first `:`, so it cannot contain one.
 */
export type LocalSource =
  | { transport: 'oci'; dir: string; tag?: string; digest?: `sha256:${string}` | `sha512:${string}` }
  | { transport: 'docker-archive'; file: string; ref?: string; index?: number };

/** Parses `oci:…` or `docker-archive:…`; undefined for anything else (a registry reference). Throws INPUT_INVALID. */
export function parseLocalSource(spec: string): LocalSource | undefined {
  const m = /^(oci|docker-archive):([^:]*)(?::(.*))?$/s.exec(spec);
  if (!m) return undefined;
  const [, transport, path, rest] = m as unknown as [string, 'oci' | 'docker-archive', string, string | undefined];
  if (path === '') throw new BosunError('INPUT_INVALID', `"${spec}": no path after "${transport}:"`);
  if (transport === 'oci') {
    if (rest === undefined || rest === '') return { transport, dir: path };
    if (rest.startsWith('@')) {
      if (!isDigest(rest.slice(1))) throw new BosunError('INPUT_INVALID', `"${spec}": "${rest.slice(1)}" is not a digest`);
      return { transport, dir: path, digest: rest.slice(1) as `sha256:${string}` };
    }
    return { transport, dir: path, tag: rest };
  }
  if (rest === undefined || rest === '') return { transport, file: path };
  if (/^@\d+$/.test(rest)) return { transport, file: path, index: Number(rest.slice(1)) };
  return { transport, file: path, ref: rest };
}

export interface OpenLocalOptions extends archive.ArchiveOptions {
  platform?: Platform;
  /** The stream `--input -` reads (the CLI passes process.stdin). */
  stdin?: () => Readable;
}

/** An image from a local source; `close()` removes temp copies (spooled or decompressed archives). */
export interface LocalImage {
  image: Image;
  /** `repo:tag` names the source gives the image (a docker-archive's RepoTags, an OCI layout tag). */
  repoTags?: string[];
  close(): Promise<void>;
}

/**
 * Opens a local image from a transport string (`oci:…`, `docker-archive:…`) or a `--input`
 * value: `-` (a docker-archive on stdin, plain or compressed), a directory (an OCI layout) or a
 * file (a docker-archive, or a tar of an OCI layout). Throws INPUT_INVALID, IO_FAILED, and
 * whatever `layout.image` / `archive.image` throw.
 */
export async function openLocalImage(spec: string, opts: OpenLocalOptions = {}): Promise<LocalImage> {
  const src = parseLocalSource(spec);
  const noop = async () => {};
  if (src?.transport === 'oci') {
    return { image: await layout.image(src.dir, { tag: src.tag, digest: src.digest, platform: opts.platform }, opts), close: noop };
  }
  if (src?.transport === 'docker-archive') {
    const img = await archive.image(src.file, { ref: src.ref, index: src.index, platform: opts.platform }, opts);
    return { image: img, repoTags: img.repoTags, close: () => img.close() };
  }
  if (spec === '-') {
    if (!opts.stdin) throw new BosunError('INPUT_INVALID', '--input -: no standard input to read');
    const img = await archive.image(opts.stdin, { platform: opts.platform }, opts);
    return { image: img, repoTags: img.repoTags, close: () => img.close() };
  }
  const st = await stat(spec).catch((err: unknown) => {
    throw new BosunError('IO_FAILED', `"${spec}": cannot read`, { cause: err });
  });
  if (st.isDirectory()) return { image: await layout.image(spec, { platform: opts.platform }, opts), close: noop };
  const img = await archive.image(spec, { platform: opts.platform }, opts);
  return { image: img, repoTags: img.repoTags, close: () => img.close() };
}
