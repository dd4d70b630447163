// Builds the sample image from real Debian and npm packages.
// Usage: node --import tsx scripts/sample-image.ts [--dir DIR] [--force]
import { parseArgs } from 'node:util';
import { buildSampleImage } from './lib/sample-image.js';

const { values } = parseArgs({ options: { dir: { type: 'string' }, force: { type: 'boolean', default: false } } });
const started = Date.now();
const sample = await buildSampleImage({ dir: values.dir, force: values.force, log: (m) => console.error(m) });
console.log(`digest   ${await sample.image.digest()}`);
console.log(`layout   ${sample.layoutDir} (oci:${sample.layoutDir}:sample)`);
console.log(`archive  ${sample.archivePath} (docker-archive:${sample.archivePath}:bosun/sample:1.0)`);
console.log(`debs     ${sample.debs.map((d) => `${d.package}=${d.version}`).join(' ') || '(none)'}`);
console.log(`took     ${((Date.now() - started) / 1000).toFixed(1)}s`);
