// Validates CAP XML against the OASIS CAP 1.2 schema (a fixture) with xmllint compiled to wasm.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

const xsd = readFileSync(
  fileURLToPath(new URL('../fixtures/cap/cap12.xsd', import.meta.url)),
  'utf8',
);

export async function validateCap(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const result = await validateXML({
    xml: [{ fileName: 'alert.xml', contents: xml }],
    schema: [{ fileName: 'cap12.xsd', contents: xsd }],
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage) };
}
