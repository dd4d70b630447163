import { BosunError } from '../../errors.js';

/** Maven coordinates of one Java package, and which evidence named it. */
export interface MavenCoordinates {
  groupId: string;
  artifactId: string;
  version: string;
  from: 'pom.properties' | 'manifest' | 'file name';
}

// Maven's own rules for ids: https://maven.apache.org/pom.html#maven-coordinates
const idPattern = /^[A-Za-z0-9_.-]{1,200}$/;
const versionPattern = /^[A-Za-z0-9_.+\-~]{1,120}$/;

/**
 * Parses `.properties` text (spec: java.util.Properties#load): `#`/`!` comments, `key=value`,
 * `key: value` or `key value`, backslash line continuations and escapes.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').replace(/^[ \t\f]+/, '');
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] ?? '').replace(/^[ \t\f]+/, '');
    }
    const m = /^((?:\\.|[^=:\s\\])*)\s*[=:\s]?\s*(.*)$/.exec(line);
    if (!m) continue;
    const unescape = (s: string): string => s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => (c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16)) : c === 't' ? '\t' : c === 'n' ? '\n' : c));
    out.set(unescape(m[1] ?? ''), unescape(m[2] ?? '').trim());
  }
  return out;
}

/** groupId, artifactId and version of a `pom.properties`; throws SBOM_FILE_INVALID when any is missing or malformed. */
export function pomCoordinates(text: string): MavenCoordinates {
  const p = parseProperties(text);
  const groupId = p.get('groupId') ?? '';
  const artifactId = p.get('artifactId') ?? '';
  const version = p.get('version') ?? '';
  if (!idPattern.test(groupId) || !idPattern.test(artifactId) || !versionPattern.test(version)) {
    throw new BosunError('SBOM_FILE_INVALID', 'pom.properties lacks a valid groupId, artifactId and version');
  }
  return { groupId, artifactId, version, from: 'pom.properties' };
}

/**
 * The main section of a JAR manifest (spec: JAR File Specification, "JAR Manifest"): `Name: value`
 * lines up to the first blank line, continuation lines start with one space.
 */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line[0] === ' ' && last !== undefined) {
      out.set(last, (out.get(last) ?? '') + line.slice(1));
      continue;
    }
    const m = /^([A-Za-z0-9_-]+):\s?(.*)$/.exec(line);
    if (!m?.[1]) continue;
    last = m[1].toLowerCase();
    out.set(last, (m[2] ?? '').trim());
  }
  return out;
}

/** An OSGi or JPMS name without attributes (`org.slf4j.api;singleton:=true` → `org.slf4j.api`). */
function symbolicName(v: string | undefined): string | undefined {
  const s = v?.split(';')[0]?.trim();
  return s && idPattern.test(s) ? s : undefined;
}

/**
 * A group from a dotted module name: `org.slf4j.simple` for artifact `slf4j-simple` gives
 * `org.slf4j` (the last segment names the artifact, the rest is the reverse-DNS group).
 */
function groupFromModule(module: string | undefined, artifactId: string): string | undefined {
  if (!module?.includes('.')) return undefined;
  const parts = module.split('.');
  const tail = artifactId.split('-').pop();
  if (parts.length > 1 && parts[parts.length - 1] === tail) return parts.slice(0, -1).join('.');
  return undefined;
}

/**
 * Coordinates from a manifest's main section, or undefined when it names no version. Artifact:
 * `Implementation-Title` (when it is an id), else `Bundle-SymbolicName`, else `fallbackArtifact`;
 * version: `Implementation-Version`, `Bundle-Version`, `Specification-Version`; group:
 * `Implementation-Vendor-Id`, else derived from `Automatic-Module-Name`/`Bundle-SymbolicName`,
 * else the artifact (as Syft does when the group is unknown).
 */
export function manifestCoordinates(m: Map<string, string>, fallbackArtifact: string | undefined): MavenCoordinates | undefined {
  const version = [m.get('implementation-version'), m.get('bundle-version'), m.get('specification-version')].find((v) => v && versionPattern.test(v));
  const title = m.get('implementation-title');
  const artifactId = (title && idPattern.test(title) ? title : undefined) ?? fallbackArtifact ?? symbolicName(m.get('bundle-symbolicname'));
  if (!version || !artifactId) return undefined;
  const vendorId = m.get('implementation-vendor-id');
  const groupId =
    (vendorId && idPattern.test(vendorId) ? vendorId : undefined) ??
    groupFromModule(symbolicName(m.get('automatic-module-name')), artifactId) ??
    groupFromModule(symbolicName(m.get('bundle-symbolicname')), artifactId) ??
    artifactId;
  return { groupId, artifactId, version, from: 'manifest' };
}

const archiveName = /^(.+?)-(\d[A-Za-z0-9_.+~-]*?)\.(?:jar|war|ear|jpi|hpi)$/i;

/** `commons-io-2.11.0.jar` → artifact and version; the artifact alone for an unversioned name. */
export function fileNameParts(fileName: string): { artifactId: string; version?: string } | undefined {
  const m = archiveName.exec(fileName);
  if (m?.[1] && m[2] && idPattern.test(m[1])) return { artifactId: m[1], version: m[2] };
  const bare = /^(.+)\.(?:jar|war|ear|jpi|hpi)$/i.exec(fileName)?.[1];
  return bare && idPattern.test(bare) ? { artifactId: bare } : undefined;
}
