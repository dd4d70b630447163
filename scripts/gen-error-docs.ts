// Writes docs/errors.md from the code table in src/errors.ts. Run: node --import tsx scripts/gen-error-docs.ts
import { writeFileSync } from 'node:fs';
import { renderErrorDocs } from './error-docs.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorDocs());
