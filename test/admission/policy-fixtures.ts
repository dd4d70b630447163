// The seed policies (test/fixtures/policy/seeds) rewritten onto a test registry and key, plus
// cosign-vuln predicates; shared by the end-to-end test and bench/admission.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

const seeds = resolve(import.meta.dirname, '../fixtures/policy/seeds');
const fixtures = resolve(import.meta.dirname, '../fixtures/admission');

/** A cosign-vuln predicate (Trivy-style result) with `criticalFixable` fixable criticals. */
export function vulnPredicate(criticalFixable: number, finishedAgoMs: number): Record<string, unknown> {
  const finished = new Date(Date.now() - finishedAgoMs).toISOString();
  const vulns = [{ VulnerabilityID: 'CVE-2024-0001', Severity: 'CRITICAL', FixedVersion: '' }];
  for (let i = 0; i < criticalFixable; i++) vulns.push({ VulnerabilityID: `CVE-2024-10${i}`, Severity: 'CRITICAL', FixedVersion: '1.2.3' });
  return {
    invocation: { parameters: null, uri: '', event_id: '' },
    scanner: { uri: 'pkg:generic/bosun', version: '0.1.0', db: { uri: '', version: '' }, result: { Results: [{ Target: 'image', Vulnerabilities: vulns }] } },
    metadata: { scanStartedOn: finished, scanFinishedOn: finished },
  };
}

/** The conditions the tests add to the seed's vuln attestation: no fixable critical, scanned within 7 days. */
export const vulnConditions = [{
  all: [
    { key: "{{ length(scanner.result.Results[].Vulnerabilities[?Severity=='CRITICAL' && FixedVersion != ''][]) }}", operator: 'Equals', value: 0, message: 'fixable critical vulnerabilities' },
    { key: "{{ time_since('', metadata.scanFinishedOn, '') }}", operator: 'DurationLessThan', value: '168h', message: 'vulnerability scan older than 7 days' },
  ],
}];

/** Seed policies rewritten onto `host` and `pem` (the seeds name example registries and placeholder keys). */
export function templatePolicies(dir: string, host: string, pem: string): void {
  // The seeds' shapes are known; these casts only reach into them to rewrite values.
  type Seed = { spec: { rules: Array<{ verifyImages: Array<Record<string, any>> }> } }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const signed = parse(readFileSync(join(seeds, '000_a15bdd6d89a4a0e0-1.yaml'), 'utf8')) as Seed;
  const vi = signed.spec.rules[0]!.verifyImages[0]!;
  vi.imageReferences = [`${host}/myapp*`];
  vi.attestors[0].entries[0].keys.publicKeys = pem;
  const vuln = parse(readFileSync(join(seeds, '004_326650791575b34a-3.yaml'), 'utf8')) as Seed;
  vuln.spec.rules[0]!.verifyImages[0]!.imageReferences = [`${host}/myapp*`];
  const att = vuln.spec.rules[0]!.verifyImages[0]!.attestations[0];
  att.attestors[0].entries = [{ keys: { publicKeys: pem } }];
  att.conditions = vulnConditions;
  writeFileSync(join(dir, 'signed.yaml'), stringify(signed));
  writeFileSync(join(dir, 'vuln.yaml'), stringify(vuln));
  for (const f of ['004_326650791575b34a-1.yaml', '004_326650791575b34a-4.yaml']) writeFileSync(join(dir, f), readFileSync(join(seeds, f)));
  writeFileSync(join(dir, 'registries.yaml'), readFileSync(join(fixtures, 'allowed-registries.yaml'), 'utf8').replaceAll('APPROVED_REGISTRY', host));
}
