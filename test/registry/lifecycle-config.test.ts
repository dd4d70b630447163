import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { isBosunError } from '../../src/errors.js';
import { parseRegistryConfig } from '../../src/registry/config.js';

// docs/registry.md: durations are `<number><unit>` sequences "or `0`"; YAML reads a bare 0 as a number.
const accepted: Array<[string, (c: ReturnType<typeof parseRegistryConfig>) => unknown, unknown]> = [
  ['gc: { grace: 0 }', (c) => c.gc.grace, '0'],
  ['gc: { grace: "0" }', (c) => c.gc.grace, '0'],
  ['gc: { grace: 90s }', (c) => c.gc.grace, '90s'],
  ['retention: { rules: [{ repositories: "team/**", deleteUntaggedOlderThan: 0 }] }', (c) => c.retention.rules[0]?.deleteUntaggedOlderThan, '0'],
  ['retention: { pullFlush: 0 }', (c) => c.retention.pullFlush, '0'],
];
for (const [yaml, pick, want] of accepted) {
  test(`registry.yaml lifecycle durations: ${yaml} is accepted`, () => {
    assert.equal(pick(parseRegistryConfig(parseYaml(yaml))), want);
  });
}

const refused = ['gc: { grace: 5 }', 'gc: { grace: -1 }', 'gc: { grace: "1 h" }', 'retention: { every: true }'];
for (const yaml of refused) {
  test(`registry.yaml lifecycle durations: ${yaml} is refused`, () => {
    assert.throws(() => parseRegistryConfig(parseYaml(yaml)), (err) => isBosunError(err) && err.code === 'REGISTRY_CONFIG_INVALID');
  });
}
