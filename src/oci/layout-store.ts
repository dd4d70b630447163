import { createReadStream } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { BosunError } from '../errors.js';
import { algorithmOf, hexOf, type Digest } from './digest.js';
import { limits } from './limits.js';
import { parseManifest } from './manifest.js';
import { readAll } from './read-all.js';
import type { Index } from './types.js';
import { fileEntry, openEntry, type TarIndex } from './tar-index.js';

/**
 * Read access to the files of an OCI image layout, wherever it lives (a directory, or the
 * members of a tar such as the one Docker 25+ `docker save` writes). Paths are relative and
 * built by this package only (`oci-layout`, `index.json`, `blobs/<alg>/<hex>` from validated
 * digests), never taken from the content.
 *
 * Implementers:
 * - `read` returns undefined when the file is absent and throws LIMIT_EXCEEDED past `max`;
 * - `open` throws OCI_BLOB_UNKNOWN when the file is absent;
 * - neither may reach a file outside the layout (OCI_PATH_UNSAFE).
 */
export interface LayoutStore {
  /** Names the layout in messages. */
  readonly name: string;
  read(rel: string, max: number): Promise<Buffer | undefined>;
  open(rel: string): Promise<Readable>;
}

/** `blobs/<alg>/<hex>` for a digest; the digest type guarantees no separators or dots. */
export function blobPath(d: Digest): string {
  return `blobs/${algorithmOf(d)}/${hexOf(d)}`;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * A layout in a directory. A file that resolves (through symlinks) outside the directory is
 * refused with OCI_PATH_UNSAFE; symlinks that stay inside are allowed.
 */
export function dirStore(dir: string): LayoutStore {
  let root: Promise<string> | undefined;
  const resolve = async (rel: string): Promise<string | undefined> => {
    root ??= realpath(dir).catch((err: unknown) => {
      throw new BosunError(isMissing(err) ? 'OCI_SOURCE_INVALID' : 'IO_FAILED', `"${dir}": not a readable directory`, { cause: err });
    });
    const base = await root;
    let real: string;
    try {
      real = await realpath(join(base, rel));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new BosunError('IO_FAILED', `"${dir}": cannot resolve ${rel}`, { cause: err });
    }
    const r = relative(base, real);
    if (r === '' || r.startsWith(`..${sep}`) || r === '..' || isAbsolute(r)) {
      throw new BosunError('OCI_PATH_UNSAFE', `"${dir}": ${rel} resolves outside the layout`);
    }
    return real;
  };
  return {
    name: dir,
    read: async (rel, max) => {
      const real = await resolve(rel);
      return real === undefined ? undefined : readAll(createReadStream(real), max, `"${dir}": ${rel}`);
    },
    open: async (rel) => {
      const real = await resolve(rel);
      if (real === undefined) throw new BosunError('OCI_BLOB_UNKNOWN', `"${dir}": ${rel} is missing`);
      return createReadStream(real, { highWaterMark: 256 * 1024 });
    },
  };
}

/** A layout stored as members of an indexed tar. Link members are never followed. */
export function tarStore(index: TarIndex, name: string): LayoutStore {
  return {
    name,
    read: async (rel, max) => {
      if (!index.entries.has(rel)) return undefined;
      const entry = fileEntry(index, rel, name);
      if (entry.size > max) throw new BosunError('LIMIT_EXCEEDED', `${name}: ${rel} is ${entry.size} bytes, over the ${max}-byte limit`);
      return readAll(openEntry(index, entry), max, `${name}: ${rel}`);
    },
    open: async (rel) => openEntry(index, fileEntry(index, rel, name)),
  };
}

/** The annotation skopeo's `oci:DIR:TAG` and umoci's `DIR:TAG` name an entry by. */
export const refNameAnnotation = 'org.opencontainers.image.ref.name';

const layoutFileMax = 64 * 1024;

/** Reads and checks `oci-layout` and `index.json`. Throws OCI_SOURCE_INVALID, LIMIT_EXCEEDED. */
export async function readLayoutIndex(store: LayoutStore): Promise<{ raw: Buffer; index: Index }> {
  const rawLayout = await store.read('oci-layout', layoutFileMax);
  if (!rawLayout) throw new BosunError('OCI_SOURCE_INVALID', `${store.name}: no oci-layout file (not an OCI image layout)`);
  let version: unknown;
  try {
    version = (JSON.parse(rawLayout.toString('utf8')) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch (err) {
    throw new BosunError('OCI_SOURCE_INVALID', `${store.name}: oci-layout is not JSON`, { cause: err });
  }
  if (typeof version !== 'string' || !/^1\.\d+\.\d+$/.test(version)) {
    throw new BosunError('OCI_SOURCE_INVALID', `${store.name}: unsupported imageLayoutVersion ${JSON.stringify(version)}`);
  }
  const raw = await store.read('index.json', limits.manifestBytes);
  if (!raw) throw new BosunError('OCI_SOURCE_INVALID', `${store.name}: no index.json`);
  const parsed = parseManifest(raw, `${store.name}: index.json`);
  if (parsed.kind !== 'index') throw new BosunError('OCI_SOURCE_INVALID', `${store.name}: index.json is not an image index`);
  return { raw, index: parsed.index };
}

