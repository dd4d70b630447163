import type { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import { BosunError } from '../errors.js';
import type { Content, ContentStore } from './content-store.js';
import { applyEntry, type ApplyContext } from './layer-apply.js';
import type { LayerRecording } from './layer-cache.js';
import { headerOf, recordEntry, type OpenRecord } from './layer-record.js';
import { normalizeEntryPath, toImagePath } from './paths.js';
import { walkTar } from './tar-walk.js';
import type { Layer } from './types.js';

/** What reading or replaying one layer needs besides the tree context. */
export interface LayerPass {
  store: ContentStore;
  /** Counts one entry against the image-wide cap (throws LIMIT_EXCEEDED past it). */
  count: () => void;
  /** `layer i (diffID)`, for messages. */
  what: string;
  signal?: AbortSignal;
}

/** Past this many entries in one layer, its record is dropped (the squash goes on). */
const maxRecordedEntries = 1_000_000;

/**
 * Streams `layer` into the tree. With `rec`, also records every entry and the content of every
 * file whose literal or real path matches, so a later squash can replay the layer; `rec` is
 * returned only when it is complete and cacheable (no file lost to the image-wide total cap,
 * which depends on the other layers).
 */
export async function readLayer(ctx: ApplyContext, layer: Layer, pass: LayerPass, rec?: LayerRecording): Promise<LayerRecording | undefined> {
  let recording = rec;
  const onEntry = async (header: Header, body: Readable): Promise<void> => {
    pass.count();
    if (recording && recording.entries.length >= maxRecordedEntries) recording = undefined;
    if (!recording) return applyEntry(ctx, header, (size, path) => pass.store.capture(body, size, path));
    const r = recording;
    const keep = (c: Content, size: number): number => {
      if (c.state === 'missing' && size <= pass.store.maxFileBytes) recording = undefined;
      return r.captured.push(c) - 1;
    };
    const entry = recordEntry(header, -1);
    r.entries.push(entry);
    const literal = literalPath(header);
    if (literal !== undefined && ctx.isMatch(literal)) {
      const size = header.size ?? 0;
      entry[5] = keep(await pass.store.capture(body, size, toImagePath(literal.split('/'))), size);
    }
    await applyEntry(ctx, header, async (size, path) => {
      if (entry[5] >= 0) return r.captured[entry[5]]!;
      const c = await pass.store.capture(body, size, path);
      entry[5] = keep(c, size);
      return c;
    });
  };
  await walkTar(await layer.uncompressed(), pass.what, onEntry, pass.signal);
  return recording;
}

function literalPath(h: Header): string | undefined {
  if (h.type !== 'file' && h.type !== 'contiguous-file' && h.type !== undefined) return undefined;
  const np = normalizeEntryPath(h.name);
  return np.ok && np.parts.length > 0 ? np.parts.join('/') : undefined;
}

/**
 * Replays a cached layer record into the tree through the same `applyEntry` the stream uses.
 * Returns false, leaving the tree half-applied, when the record lacks the content of a file the
 * tree wants (its real path matches only because lower layers, different from the recording
 * squash's, relocate it through a symlink): the caller must then read the layer's stream.
 */
export async function replayLayer(ctx: ApplyContext, open: OpenRecord, pass: LayerPass): Promise<boolean> {
  const { record, handle, dataStart } = open;
  let isComplete = true;
  for (const [i, e] of record.entries.entries()) {
    if (i % 4096 === 0 && pass.signal?.aborted) throw new BosunError('ABORTED', `${pass.what}: aborted`, { cause: pass.signal.reason });
    pass.count();
    await applyEntry(ctx, headerOf(e), async (_size, path): Promise<Content> => {
      const c = e[5] >= 0 ? record.contents[e[5]] : undefined;
      if (c === undefined) {
        isComplete = false;
        return { state: 'missing', code: 'OCI_FILE_NOT_CAPTURED', reason: `${path}: not in the layer cache record` };
      }
      if (typeof c[0] === 'string') return { state: 'missing', code: c[0], reason: String(c[1]) };
      return pass.store.adoptRange(handle, dataStart + c[0], c[1] as number, path);
    });
    if (!isComplete) return false;
  }
  return true;
}
