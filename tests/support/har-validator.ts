/**
 * Validates HAR documents against the HAR 1.2 JSON schema (the `har-schema` package, the
 * schema behind har-validator), with Ajv.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const schemaDir = join(dirname(require.resolve('har-schema/package.json')), 'lib');

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
for (const file of readdirSync(schemaDir).filter((f) => f.endsWith('.json'))) {
  ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, file), 'utf8')));
}
const validate = ajv.getSchema('har.json#');
if (!validate) throw new Error('har-schema: har.json# not found');

export function harErrors(har: unknown): ErrorObject[] {
  if (validate?.(har)) return [];
  return validate?.errors ?? [];
}

/** Throws with every schema violation listed when the document is not valid HAR 1.2. */
export function assertValidHar(har: unknown): void {
  const errors = harErrors(har);
  if (errors.length) {
    throw new Error(
      `invalid HAR:\n${errors.map((e) => `  ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n')}`,
    );
  }
}
