// A minimal ELF64 little-endian writer for Go build-info fixtures that the toolchain here cannot
// produce: Debian's Go 1.19 only writes the 1.18+ inline layout, so the pre-1.18 pointer layout
// (two addresses of Go string headers) is assembled by hand. spec: System V gABI ELF-64.
export interface GoPointerElf {
  goVersion: string;
  modinfo: string;
  /** Leave out the section header table, so readers must search the data segment. */
  noSections?: boolean;
  /** Point the version string header somewhere no segment maps. */
  danglingPointer?: boolean;
}

const base = 0x400000;
const dataAt = 0x100;

export function goPointerElf(o: GoPointerElf): Buffer {
  const vers = Buffer.from(o.goVersion);
  const mod = Buffer.from(o.modinfo);
  const stringsAt = dataAt + 64;
  const data = Buffer.alloc(64 + vers.length + mod.length);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(data, 0);
  data[14] = 8;
  data[15] = 0;
  data.writeBigUInt64LE(BigInt(o.danglingPointer ? 0x7000000 : base + dataAt + 32), 16);
  data.writeBigUInt64LE(BigInt(base + dataAt + 48), 24);
  data.writeBigUInt64LE(BigInt(base + stringsAt), 32);
  data.writeBigUInt64LE(BigInt(vers.length), 40);
  data.writeBigUInt64LE(BigInt(base + stringsAt + vers.length), 48);
  data.writeBigUInt64LE(BigInt(mod.length), 56);
  vers.copy(data, 64);
  mod.copy(data, 64 + vers.length);
  const names = Buffer.from('\0.go.buildinfo\0.shstrtab\0');
  const namesAt = dataAt + data.length;
  const shoff = Math.ceil((namesAt + names.length) / 8) * 8;
  const file = Buffer.alloc(shoff + (o.noSections ? 0 : 3 * 64));
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(file, 0);
  file.writeUInt16LE(2, 16);
  file.writeUInt16LE(62, 18);
  file.writeUInt32LE(1, 20);
  file.writeBigUInt64LE(64n, 32);
  file.writeBigUInt64LE(o.noSections ? 0n : BigInt(shoff), 40);
  file.writeUInt16LE(64, 52);
  file.writeUInt16LE(56, 54);
  file.writeUInt16LE(1, 56);
  file.writeUInt16LE(64, 58);
  file.writeUInt16LE(o.noSections ? 0 : 3, 60);
  file.writeUInt16LE(o.noSections ? 0 : 2, 62);
  // one PT_LOAD, read-write, mapping the whole file at `base`
  file.writeUInt32LE(1, 64);
  file.writeUInt32LE(6, 68);
  file.writeBigUInt64LE(BigInt(base), 64 + 16);
  file.writeBigUInt64LE(BigInt(file.length), 64 + 32);
  file.writeBigUInt64LE(BigInt(file.length), 64 + 40);
  data.copy(file, dataAt);
  names.copy(file, namesAt);
  if (!o.noSections) {
    const sh = (i: number, name: number, type: number, offset: number, size: number, addr = 0): void => {
      const at = shoff + i * 64;
      file.writeUInt32LE(name, at);
      file.writeUInt32LE(type, at + 4);
      file.writeBigUInt64LE(BigInt(addr), at + 16);
      file.writeBigUInt64LE(BigInt(offset), at + 24);
      file.writeBigUInt64LE(BigInt(size), at + 32);
    };
    sh(1, 1, 1, dataAt, 32, base + dataAt);
    sh(2, 15, 3, namesAt, names.length);
  }
  return file;
}
