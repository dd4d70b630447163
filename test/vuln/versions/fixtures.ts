// Reads the differential fixtures written by test/fixtures/versions/make.ts.
import { readFileSync } from 'node:fs';
import { fixtureFile } from '../../fixtures/versions/make.js';

export interface Fixture {
  readonly pairs: readonly { readonly a: string; readonly op: '<' | '=' | '>'; readonly b: string }[];
  readonly rejected: readonly string[];
  readonly stricter: readonly string[];
}

/** Parses `a <op> b`, `! version` (the reference rejects) and `~ version` (only bosun rejects) lines; `#` starts a comment. */
export function readFixture(ecosystem: string): Fixture {
  const pairs: Fixture['pairs'][number][] = [];
  const rejected: string[] = [];
  const stricter: string[] = [];
  for (const line of readFileSync(fixtureFile(ecosystem), 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(' ');
    if (parts[0] === '!' && parts.length === 2) rejected.push(parts[1]!);
    else if (parts[0] === '~' && parts.length === 2) stricter.push(parts[1]!);
    else if (parts.length === 3 && ['<', '=', '>'].includes(parts[1]!)) pairs.push({ a: parts[0]!, op: parts[1] as '<', b: parts[2]! });
    else throw new Error(`bad fixture line in ${ecosystem}: ${line}`);
  }
  return { pairs, rejected, stricter };
}

/** The sign of a comparison as a fixture operator. */
export const opOf = (n: number): string => (n < 0 ? '<' : n === 0 ? '=' : '>');
