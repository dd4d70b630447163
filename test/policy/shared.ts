import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared data directory beside the repository (`BOSUN_SHARED` overrides). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(process.env.BOSUN_SHARED ?? path.resolve(repoRoot, '../shared'));
