/** A JSON value as QGroundControl's QJsonDocument holds it. */
export type QtJson = null | boolean | number | string | QtJson[] | { [key: string]: QtJson };

/**
 * Serialises like Qt's `QJsonDocument::toJson(QJsonDocument::Indented)`, the writer behind every
 * QGroundControl `.plan`: 4-space indent, object keys sorted, empty containers opened and closed
 * on their own lines, non-finite numbers as null, a final newline.
 *
 * @example
 * qtJsonStringify({ b: [], a: 1 }); // '{\n    "a": 1,\n    "b": [\n    ]\n}\n'
 */
export function qtJsonStringify(value: QtJson): string {
  return `${write(value, '')}\n`;
}

function write(value: QtJson, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return JSON.stringify(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return `[\n${indent}]`;
    return `[\n${value.map((v) => inner + write(v, inner)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value).sort();
  if (keys.length === 0) return `{\n${indent}}`;
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${write(value[k]!, inner)}`).join(',\n')}\n${indent}}`;
}
