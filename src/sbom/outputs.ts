import { randomBytes } from 'node:crypto';
import { stat, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { BosunError } from '../errors.js';
import type { SbomWriter, WriteOptions } from './codecs/common.js';
import { writerFor } from './codecs/index.js';
import type { Sbom } from './model.js';

/** One requested output: a writer and a file, or standard output when `file` is absent. */
export interface SbomOutput {
  writer: SbomWriter;
  file?: string;
}

/**
 * Parses Syft-style output specs: `FORMAT` (standard output) or `FORMAT=FILE`. Every format is
 * checked before anything runs. Throws SBOM_FORMAT_UNKNOWN, and INPUT_INVALID when more than one
 * output goes to standard output or two go to the same file.
 */
export function parseOutputs(specs: readonly string[]): SbomOutput[] {
  const outputs = specs.map((s): SbomOutput => {
    const eq = s.indexOf('=');
    if (eq < 0) return { writer: writerFor(s) };
    const file = s.slice(eq + 1);
    if (file === '') throw new BosunError('INPUT_INVALID', `output "${s}": no file after "="`);
    return { writer: writerFor(s.slice(0, eq)), file: resolve(file) };
  });
  if (outputs.filter((o) => o.file === undefined).length > 1) {
    throw new BosunError('INPUT_INVALID', 'only one output can go to standard output; give the others a file (-o FORMAT=FILE)');
  }
  const files = outputs.flatMap((o) => (o.file ? [o.file] : []));
  if (new Set(files).size !== files.length) throw new BosunError('INPUT_INVALID', 'two outputs name the same file');
  return outputs;
}

/**
 * Writes `sbom` in every requested format. Files are written atomically (a temp file beside the
 * target, then rename), so a reader never sees half a document; standard output gets `stdout`.
 * All outputs share one creation time. Throws IO_FAILED.
 */
export async function writeOutputs(sbom: Sbom, outputs: readonly SbomOutput[], stdout: Writable, opts: WriteOptions = {}): Promise<void> {
  const created = opts.created ?? (process.env.SOURCE_DATE_EPOCH ? undefined : new Date());
  const wopts: WriteOptions = { ...opts, ...(created ? { created } : {}) };
  for (const o of outputs) {
    const text = `${JSON.stringify(o.writer.encode(sbom, wopts), null, 2)}\n`;
    if (o.file) await writeAtomic(o.file, text);
    else await new Promise<void>((res, rej) => stdout.write(text, (err) => (err ? rej(new BosunError('IO_FAILED', `writing to standard output failed: ${err.message}`, { cause: err })) : res())));
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const isDir = await stat(file).then((s) => s.isDirectory(), () => false);
  if (isDir) throw new BosunError('IO_FAILED', `"${file}" is a directory`);
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { flag: 'wx', mode: 0o644 });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new BosunError('IO_FAILED', `cannot write "${file}"`, { cause: err });
  }
}
