// Every place bosun reports its own version agrees with package.json, the one place it is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { defaultUserAgent } from '../src/oci/remote/options.js';
import { writerFor } from '../src/sbom/codecs/index.js';
import type { Sbom } from '../src/sbom/model.js';
import { bosunVersion } from '../src/version.js';
import { bosunBin } from './helpers/bosun-cli.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const empty: Sbom = { source: { kind: 'directory', name: '/empty' }, packages: [], relationships: [], problems: [] };

async function written(format: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writerFor(format).write(empty, out);
  return Buffer.concat(chunks).toString('utf8');
}

test('bosunVersion is the package.json version', () => {
  assert.match(version, /^\d+\.\d+\.\d+/);
  assert.equal(bosunVersion, version);
});

const reporters: Array<{ name: string; got: () => Promise<string> | string; want: string }> = [
  { name: 'the registry client User-Agent', got: () => defaultUserAgent, want: `bosun/${version}` },
  { name: 'SPDX creators', got: async () => (JSON.parse(await written('spdx-json')) as { creationInfo: { creators: string[] } }).creationInfo.creators[0]!, want: `Tool: bosun-${version}` },
  { name: 'CycloneDX tools', got: async () => (JSON.parse(await written('cyclonedx-json')) as { metadata: { tools: { components: Array<{ version: string }> } } }).metadata.tools.components[0]!.version, want: version },
  { name: 'bosun --version', got: () => spawnSync(process.execPath, [bosunBin, '--version'], { encoding: 'utf8' }).stdout, want: `${version}\n` },
];
for (const r of reporters) {
  test(`${r.name} reports the package.json version`, async () => {
    assert.equal(await r.got(), r.want);
  });
}
