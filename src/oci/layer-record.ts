import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Header } from 'tar-stream';
import { z } from 'zod';
import { codes, type ErrorCode } from '../errors.js';
import type { Content } from './content-store.js';
import type { Digest } from './digest.js';

/*
 * What one layer contributes to a squash, as a file (format version 1):
 *
 *   "BOSUNLR1"            8-byte magic
 *   u32 BE                length of the meta JSON
 *   meta JSON             { v, diffId, key, entries, contents } (below)
 *   content bytes         captured files, back to back (contents[i] = [offset, size] into here)
 *   sha256                32 bytes over everything before it
 *
 * `entries` lists every tar entry of the layer in tar order, as [name, type, mode, size, link,
 * content] with type one of f(ile) d(ir) s(ymlink) l(ink, hard) o(ther), and content an index
 * into `contents` or -1. Replaying them through `applyEntry` rebuilds exactly the tree the tar
 * stream builds, without the stream.
 */

const magic = Buffer.from('BOSUNLR1');
const hashBytes = 32;
const headBytes = magic.length + 4;

/** A tar entry as recorded: only the header fields `applyEntry` reads. */
export type RecordedEntry = [name: string, type: EntryType, mode: number, size: number, link: string, content: number];
type EntryType = 'f' | 'd' | 's' | 'l' | 'o';

/** A recorded file's content: a byte range of the record, or why it was not captured. */
export type RecordedContent = [offset: number, size: number] | [code: ErrorCode, reason: string];

const metaSchema = z.object({
  v: z.literal(1),
  diffId: z.string(),
  key: z.string(),
  entries: z.array(z.tuple([z.string(), z.enum(['f', 'd', 's', 'l', 'o']), z.number().int().nonnegative(), z.number().int().nonnegative(), z.string(), z.number().int().min(-1)])),
  contents: z.array(z.union([z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]), z.tuple([z.string().refine((c) => Object.hasOwn(codes, c)), z.string()])])),
});

/** A layer's recorded changeset, in memory. */
export interface LayerRecord {
  diffId: Digest;
  key: string;
  entries: RecordedEntry[];
  contents: RecordedContent[];
}

const typeCodes: Record<string, EntryType> = { file: 'f', 'contiguous-file': 'f', directory: 'd', symlink: 's', link: 'l' };

/** The record form of a tar header. */
export function recordEntry(h: Header, content: number): RecordedEntry {
  return [h.name, typeCodes[h.type ?? 'file'] ?? 'o', h.mode ?? 0, h.size ?? 0, h.linkname ?? '', content];
}

const headerTypes = { f: 'file', d: 'directory', s: 'symlink', l: 'link', o: 'fifo' } as const;

/** The tar header a recorded entry stands for. */
export function headerOf(e: RecordedEntry): Header {
  return { name: e[0], type: headerTypes[e[1]], mode: e[2], size: e[3], linkname: e[4] } as Header;
}

/**
 * Encodes a record's head (magic, meta length, meta). `contents` byte ranges must already be
 * laid out back to back in the order the caller streams them after the head.
 */
export function encodeHead(rec: LayerRecord): Buffer {
  const meta = Buffer.from(JSON.stringify({ v: 1, ...rec }));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(meta.length);
  return Buffer.concat([magic, len, meta]);
}

/** A verified record read from disk; content ranges are absolute offsets into `handle`'s file. */
export interface OpenRecord {
  record: LayerRecord;
  handle: FileHandle;
  dataStart: number;
}

/**
 * Reads and verifies the record in `handle` (at most `maxBytes`): the trailing sha256 must match
 * everything before it, the meta must parse and name `diffId` and `key`, and every content range
 * must lie inside the content section. Returns undefined for anything else (a corrupt or foreign
 * file is never trusted); the caller closes `handle` then.
 */
export async function readRecord(handle: FileHandle, want: { diffId: Digest; key: string; maxBytes: number }): Promise<OpenRecord | undefined> {
  const { size } = await handle.stat();
  if (size < headBytes + hashBytes || size > want.maxBytes) return undefined;
  const body = size - hashBytes;
  if (!(await hashMatches(handle, body))) return undefined;
  const head = Buffer.alloc(headBytes);
  await handle.read(head, 0, headBytes, 0);
  if (!head.subarray(0, magic.length).equals(magic)) return undefined;
  const metaLen = head.readUInt32BE(magic.length);
  const dataStart = headBytes + metaLen;
  if (dataStart > body) return undefined;
  const rawMeta = Buffer.alloc(metaLen);
  await handle.read(rawMeta, 0, metaLen, headBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawMeta.toString('utf8'));
  } catch {
    return undefined;
  }
  const meta = metaSchema.safeParse(parsed);
  if (!meta.success || meta.data.diffId !== want.diffId || meta.data.key !== want.key) return undefined;
  const dataBytes = body - dataStart;
  const inBounds = meta.data.contents.every((c) => typeof c[0] === 'string' || (c[0] as number) + (c[1] as number) <= dataBytes);
  const refsOk = meta.data.entries.every((e) => e[5] < meta.data.contents.length);
  if (!inBounds || !refsOk) return undefined;
  return { record: meta.data as LayerRecord, handle, dataStart };
}

async function hashMatches(handle: FileHandle, body: number): Promise<boolean> {
  const h = createHash('sha256');
  const buf = Buffer.alloc(1024 * 1024);
  for (let pos = 0; pos < body; ) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, body - pos), pos);
    if (bytesRead === 0) return false;
    h.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  const stored = Buffer.alloc(hashBytes);
  await handle.read(stored, 0, hashBytes, body);
  return h.digest().equals(stored);
}

/** The captured size of a content, for laying out a record. */
export function contentSize(c: Content): number {
  switch (c.state) {
    case 'memory':
      return c.data.length;
    case 'spilled':
    case 'range':
      return c.size;
    case 'missing':
      return 0;
  }
}
