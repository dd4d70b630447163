import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isBosunError } from '../../src/errors.js';
import { COSIGN_VULN_PREDICATE_TYPE, writerFor, writers } from '../../src/report/index.js';
import type { ScanReport } from '../../src/vuln/scan/report.js';
import { cycloneDxValidator } from '../helpers/sbom-schemas.js';
import { sampleReport } from '../helpers/scan-report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => unknown }).default;

async function render(format: string, doc: ScanReport): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writerFor(format).write(doc, out);
  return Buffer.concat(chunks).toString('utf8');
}

/** Timestamps, UUIDs and the tool version vary between runs and releases; goldens never see them. */
function redact(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<TIMESTAMP>')
    .replace(/urn:uuid:[0-9a-f-]{36}/g, 'urn:uuid:<UUID>')
    .replace(/("version": |"scannerVersion": |bosun@)"?0\.\d+\.\d+"?/g, '$1<VERSION>');
}

function golden(name: string, actual: string): void {
  const file = path.join(here, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs; review, then rerun with UPDATE_GOLDEN=1`);
}

function sarifValidator(): (doc: unknown) => unknown[] {
  // The SARIF 2.1.0 (rtm.5) schema is draft-04; ajv 8 reads it once `id` becomes `$id` and the
  // draft-04 meta-schema reference is dropped (no draft-04-only keywords are used in it).
  const raw = JSON.parse(readFileSync(path.resolve(here, '../fixtures/report/sarif-2.1.0-rtm.5.json'), 'utf8')) as AnySchemaObject & { id?: string };
  const { id, $schema: _s, ...rest } = raw;
  // one of its patterns (language tags) is not valid with the `u` flag ajv uses by default
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile({ ...rest, $id: id });
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []));
}

test('json: golden, and the suppressed findings are kept with their reasons', async () => {
  const doc = await sampleReport();
  const text = await render('json', doc);
  golden('report.golden.json', redact(text));
  const parsed = JSON.parse(text) as ScanReport;
  const all = parsed.results.flatMap((r) => r.findings);
  const log4j = all.find((f) => f.id === 'CVE-2021-44228')!;
  assert.deepEqual(log4j.suppression, { kind: 'vex', origin: 'app.openvex.json', status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', statement: 'JNDI lookups are disabled' });
  const ignored = all.find((f) => f.id === 'CVE-2026-56132')!;
  assert.equal(ignored.suppression?.kind, 'ignorefile');
  assert.equal(parsed.summary.suppressed, 2);
  assert.equal(parsed.summary.total, all.length - 2);
});

test('table: golden, with suppressed findings listed apart', async () => {
  const text = await render('table', await sampleReport());
  golden('report.golden.txt', redact(text));
  assert.match(text, /Suppressed:/);
});

test('sarif: valid against the SARIF 2.1.0 schema, golden, security-severity on every rule', async () => {
  const text = await render('sarif', await sampleReport());
  const doc = JSON.parse(text) as { runs: Array<{ tool: { driver: { rules: Array<{ properties: Record<string, string> }> } }; results: Array<{ suppressions?: unknown[] }> }> };
  assert.deepEqual(sarifValidator()(doc), []);
  golden('report.sarif.golden.json', redact(text));
  const run = doc.runs[0]!;
  for (const r of run.tool.driver.rules) assert.match(r.properties['security-severity']!, /^\d+\.\d$/);
  assert.equal(run.results.filter((r) => r.suppressions).length, 2);
});

test('cyclonedx: a valid CycloneDX 1.6 BOM with vulnerabilities and VEX analysis', async () => {
  const text = await render('cyclonedx', await sampleReport());
  const bom = JSON.parse(text) as { vulnerabilities: Array<{ id: string; analysis?: { state: string; justification?: string }; affects: Array<{ ref: string }> }>; components: Array<{ 'bom-ref': string }> };
  assert.deepEqual(cycloneDxValidator()(bom), []);
  const refs = new Set(bom.components.map((c) => c['bom-ref']));
  for (const v of bom.vulnerabilities) for (const a of v.affects) assert.ok(refs.has(a.ref), `${v.id} affects a listed component`);
  assert.deepEqual(bom.vulnerabilities.find((v) => v.id === 'CVE-2021-44228')?.analysis?.state, 'not_affected');
  assert.equal(bom.vulnerabilities.find((v) => v.id === 'CVE-2021-44228')?.analysis?.justification, 'code_not_reachable');
});

test('cyclonedx: a CycloneDX VEX statement\'s own state and justification pass through as written', async () => {
  const doc = await sampleReport();
  for (const r of doc.results) {
    for (const f of r.findings) {
      if (f.suppression?.kind === 'vex') Object.assign(f.suppression, { documentStatus: 'false_positive', justification: 'requires_configuration' });
    }
  }
  const bom = JSON.parse(await render('cyclonedx', doc)) as { vulnerabilities: Array<{ id: string; analysis?: { state: string; justification?: string } }> };
  assert.deepEqual(cycloneDxValidator()(bom), []);
  assert.deepEqual(bom.vulnerabilities.find((v) => v.id === 'CVE-2021-44228')?.analysis, { state: 'false_positive', justification: 'requires_configuration', detail: 'JNDI lookups are disabled; from app.openvex.json' });
});

test('cosign-vuln: the predicate cosign attest --type vuln expects', async () => {
  const doc = await sampleReport();
  const p = JSON.parse(await render('cosign-vuln', doc)) as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(p).sort(), ['invocation', 'metadata', 'scanner']);
  assert.deepEqual(Object.keys(p.scanner!).sort(), ['db', 'result', 'uri', 'version']);
  assert.deepEqual(p.metadata, { scanStartedOn: doc.metadata.startedAt, scanFinishedOn: doc.metadata.finishedAt });
  assert.deepEqual((p.scanner!.result as ScanReport).summary, doc.summary);
  assert.equal(COSIGN_VULN_PREDICATE_TYPE, 'https://cosign.sigstore.dev/attestation/vuln/v1');
});

test('every writer is registered once; an unknown format is REPORT_FORMAT_UNKNOWN', () => {
  assert.deepEqual(writers.map((w) => w.format), ['table', 'json', 'sarif', 'cyclonedx', 'cosign-vuln']);
  assert.throws(() => writerFor('xml'), (e) => isBosunError(e, 'REPORT_FORMAT_UNKNOWN'));
});
