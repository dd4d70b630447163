import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (two levels above this file). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** `../shared` beside the repository, or $BOSUN_SHARED. */
export const sharedDir = process.env.BOSUN_SHARED ?? path.resolve(repoRoot, '../shared');
/** Real cosign / Sigstore vectors (see its README.md). */
export const sigstoreVectors = path.join(sharedDir, 'vectors', 'sigstore');
export const productionRoot = path.join(sigstoreVectors, 'trusted-roots', 'pgi-production.trusted_root.json');
export const cosignTestdataRoot = path.join(sigstoreVectors, 'trusted-roots', 'pgi-cosign-testdata.trusted_root.json');
