// Validators for the official SBOM JSON schemas: SPDX 2.3 (committed under
// test/fixtures/sbom/schemas/, see its README) and CycloneDX 1.6 (shipped by
// @cyclonedx/cyclonedx-library, a devDependency).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import type { AnySchemaObject, ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv | Ajv2019) => unknown }).default;

function load(file: string): AnySchemaObject {
  return JSON.parse(readFileSync(file, 'utf8')) as AnySchemaObject;
}

export type Validate = (doc: unknown) => ErrorObject[];

function wrap(fn: ((doc: unknown) => boolean) & { errors?: ErrorObject[] | null }): Validate {
  return (doc) => (fn(doc) ? [] : (fn.errors ?? []));
}

/** Validates against spdx-spec's schemas/spdx-schema.json (SPDX 2.3). */
export function spdxValidator(): Validate {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  return wrap(ajv.compile(load(path.resolve(here, '../fixtures/sbom/schemas/spdx-schema-2.3.json'))));
}

/** Validates against CycloneDX's bom-1.6 schema with the SPDX-id and JSF schemas it references. */
export function cycloneDxValidator(): Validate {
  const dir = path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  // ajv-formats has no IRI or IDN formats; these approximations reject what no IRI or address contains
  ajv.addFormat('iri-reference', /^[^\s<>"{}|\\^`]*$/u);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  // bom-1.6 refers to its siblings by their SNAPSHOT file names, relative to its own $id
  for (const name of ['spdx', 'jsf-0.82', 'cryptography-defs']) {
    ajv.addSchema({ ...load(path.join(dir, `${name}.SNAPSHOT.schema.json`)), $id: `http://cyclonedx.org/schema/${name}.SNAPSHOT.schema.json` });
  }
  return wrap(ajv.compile(load(path.join(dir, 'bom-1.6.SNAPSHOT.schema.json'))));
}
