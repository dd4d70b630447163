import { BosunError } from '../../errors.js';

/**
 * Reads the header blobs out of rpm's NDB package database (`Packages.db`, SUSE since 2019).
 * Layout, all integers little-endian (spec: rpm lib/backend/ndb/rpmpkg.c):
 *
 * ```
 * page 0..slotnpages-1   4096-byte slot pages
 *   bytes 0..31          header: magic "RpmP" @0, version 0 @4, generation @8, slotnpages @12
 *   16-byte slots        magic "Slot" @0, pkgidx @4, blkoff @8 (0 = free), blkcnt @12
 * blkoff * 16            blob: magic "BlbS", pkgidx, timestamp, length; header blob;
 *                        tail (adler32, length, magic "BlbE") at the end of blkcnt blocks
 * ```
 */

const pageSize = 4096;
const slotSize = 16;
const blockSize = 16;
const magic = (s: string): number => Buffer.from(s, 'latin1').readUInt32LE(0);
const headerMagic = magic('RpmP');
const slotMagic = magic('Slot');
const blobHeadMagic = magic('BlbS');
const blobTailMagic = magic('BlbE');

/** Slot pages accepted (rpm grows them as packages are added; 64 pages hold 16 382 packages). */
export const ndbMaxSlotPages = 1024;

export type NdbRecord = { key: number; blob: Buffer } | { key: number; error: BosunError };

function invalid(message: string): BosunError {
  return new BosunError('SBOM_FILE_INVALID', `ndb: ${message}`);
}

function readBlob(buf: Buffer, slot: { pkgidx: number; blkoff: number; blkcnt: number }): Buffer {
  const start = slot.blkoff * blockSize;
  const end = start + slot.blkcnt * blockSize;
  if (end > buf.length || slot.blkcnt < 2) throw invalid(`slot of package ${slot.pkgidx} points at blocks ${slot.blkoff}+${slot.blkcnt}, outside the ${buf.length}-byte file`);
  if (buf.readUInt32LE(start) !== blobHeadMagic || buf.readUInt32LE(start + 4) !== slot.pkgidx) {
    throw invalid(`package ${slot.pkgidx}: no blob header at block ${slot.blkoff}`);
  }
  const length = buf.readUInt32LE(start + 12);
  if (Math.ceil((16 + length + 12) / blockSize) !== slot.blkcnt) throw invalid(`package ${slot.pkgidx}: blob length ${length} does not fit ${slot.blkcnt} blocks`);
  const tail = end - 12;
  if (buf.readUInt32LE(tail + 4) !== length || buf.readUInt32LE(tail + 8) !== blobTailMagic) throw invalid(`package ${slot.pkgidx}: blob tail is damaged`);
  return buf.subarray(start + 16, start + 16 + length);
}

/**
 * Every used slot's header blob, in slot order. Throws SBOM_FILE_INVALID when the file header or a
 * slot page is malformed and LIMIT_EXCEEDED past `ndbMaxSlotPages`; a slot whose blob is outside
 * the file or damaged is returned with its error.
 */
export function readNdbRecords(buf: Buffer): NdbRecord[] {
  if (buf.length < pageSize || buf.readUInt32LE(0) !== headerMagic) throw invalid('no "RpmP" header');
  if (buf.readUInt32LE(4) !== 0) throw invalid(`version ${buf.readUInt32LE(4)} is not 0`);
  const slotPages = buf.readUInt32LE(12);
  if (slotPages < 1) throw invalid('no slot pages');
  if (slotPages > ndbMaxSlotPages) throw new BosunError('LIMIT_EXCEEDED', `ndb: ${slotPages} slot pages, past the ${ndbMaxSlotPages} cap`);
  if (slotPages * pageSize > buf.length) throw invalid(`${slotPages} slot pages run past the ${buf.length}-byte file`);
  const out: NdbRecord[] = [];
  const firstBlob = (slotPages * pageSize) / blockSize;
  for (let at = 32; at < slotPages * pageSize; at += slotSize) {
    if (buf.readUInt32LE(at) !== slotMagic) throw invalid(`slot at byte ${at} has no "Slot" magic`);
    const slot = { pkgidx: buf.readUInt32LE(at + 4), blkoff: buf.readUInt32LE(at + 8), blkcnt: buf.readUInt32LE(at + 12) };
    if (slot.blkoff === 0) continue;
    try {
      if (slot.pkgidx === 0 || slot.blkoff < firstBlob) throw invalid(`slot at byte ${at} is malformed (package ${slot.pkgidx}, block ${slot.blkoff})`);
      out.push({ key: slot.pkgidx, blob: readBlob(buf, slot) });
    } catch (err) {
      out.push({ key: slot.pkgidx, error: err instanceof BosunError ? err : invalid(String(err)) });
    }
  }
  return out;
}
