// bosun's own version. package.json is the one place it is written; everything that reports
// the version (CLI --version, SBOM creators, scan reports, cache keys, User-Agent) reads it here.
import { createRequire } from 'node:module';

/** The version of this bosun build, as package.json states it. */
export const bosunVersion: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
