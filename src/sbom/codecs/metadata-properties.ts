import type { PackageMetadata } from '../model.js';

// The scalar package metadata bosun writes as `bosun:package:<field>` CycloneDX properties and
// reads back, so an SBOM round-trips through CycloneDX with what the scanner needs (source
// package, epoch, rpm vendor and module, Go indirect requirements, nested-archive paths).
// `files` is left out on purpose: owned-file lists would dwarf the document.
const fields = {
  sourceName: 'string',
  sourceVersion: 'string',
  arch: 'string',
  epoch: 'number',
  commit: 'string',
  isDev: 'boolean',
  isIndirect: 'boolean',
  virtualPath: 'string',
  rawLicense: 'string',
  vendor: 'string',
  modularityLabel: 'string',
  installedSize: 'number',
} as const satisfies Partial<Record<keyof PackageMetadata, 'string' | 'number' | 'boolean'>>;

type Field = keyof typeof fields;
const prefix = 'bosun:package:';

/** The metadata as `{ name, value }` properties, in a fixed order. */
export function metadataProperties(m: PackageMetadata): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const field of Object.keys(fields) as Field[]) {
    const v = m[field];
    if (v !== undefined && v !== '') out.push({ name: `${prefix}${field}`, value: String(v) });
  }
  return out;
}

/**
 * Sets the metadata field a property names, when it is one of ours and its value has the
 * field's type; returns false for any other property (left to the caller).
 */
export function readMetadataProperty(metadata: PackageMetadata, name: string, value: string | undefined): boolean {
  if (!name.startsWith(prefix) || value === undefined) return false;
  const field = name.slice(prefix.length);
  if (!Object.hasOwn(fields, field)) return false;
  const kind = fields[field as Field];
  const target = metadata as Record<string, unknown>;
  if (kind === 'string') target[field] = value;
  else if (kind === 'boolean') {
    if (value !== 'true' && value !== 'false') return true;
    target[field] = value === 'true';
  } else {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) return true;
    target[field] = n;
  }
  return true;
}
