import { BosunError } from '../../errors.js';
import { sbomLimits } from '../limits.js';

/** One deb822 paragraph: field names lowercased, continuation lines joined with "\n". */
export type Paragraph = Map<string, string>;

/**
 * Parses deb822 text (dpkg status, DEP-5 copyright): paragraphs separated by blank lines,
 * `Field: value` lines, continuation lines starting with space or tab, `#` comments skipped.
 * spec: deb-control(5), deb822(5). Throws SBOM_FILE_INVALID when a line is neither (so a random
 * text file is a problem, not an empty database) and LIMIT_EXCEEDED past the paragraph cap.
 */
export function parseDeb822(text: string): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let current: Paragraph | undefined;
  let last: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') {
      current = undefined;
      last = undefined;
      continue;
    }
    if (line.startsWith('#')) continue;
    if ((line[0] === ' ' || line[0] === '\t') && current && last !== undefined) {
      current.set(last, `${current.get(last) ?? ''}\n${line.slice(1)}`);
      continue;
    }
    const m = /^([!-9;-~][!-9;-~]*):[ \t]*(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) {
      throw new BosunError('SBOM_FILE_INVALID', `line ${i + 1} is not a deb822 "Field: value" line`);
    }
    if (!current) {
      if (paragraphs.length >= sbomLimits.packagesPerFile) {
        throw new BosunError('LIMIT_EXCEEDED', `more than ${sbomLimits.packagesPerFile} paragraphs`);
      }
      current = new Map();
      paragraphs.push(current);
    }
    last = m[1].toLowerCase();
    current.set(last, m[2].trimEnd());
  }
  return paragraphs;
}

/** Splits a dependency field (`a (>= 1), b | c:any`) into alternatives of bare package names. */
export function parseDependsField(value: string | undefined): string[][] {
  if (!value) return [];
  return value
    .split(',')
    .map((group) =>
      group
        .split('|')
        .map((alt) => alt.trim().split(/[\s(:[]/)[0] ?? '')
        .filter(Boolean),
    )
    .filter((g) => g.length > 0);
}
