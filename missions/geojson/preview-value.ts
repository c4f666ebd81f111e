const MAX_DEPTH = 3;
const MAX_ITEMS = 4;

function render(value: unknown, depth: number): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  }
  if (typeof value !== 'object' || value === null) return String(value);
  if (depth === 0) return Array.isArray(value) ? '[...]' : '{...}';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v: unknown) => render(v, depth - 1));
    if (value.length > MAX_ITEMS) items.push('...');
    return `[${items.join(',')}]`;
  }
  const keys = Object.keys(value);
  const items = keys
    .slice(0, MAX_ITEMS)
    .map((k) => `${JSON.stringify(k)}:${render((value as Record<string, unknown>)[k], depth - 1)}`);
  if (keys.length > MAX_ITEMS) items.push('...');
  return `{${items.join(',')}}`;
}

/**
 * A short, JSON-like preview of any value for error messages. Unlike `JSON.stringify` it looks
 * only 3 levels deep and at 4 items per level, so a hostile 10,000-level array cannot overflow
 * the stack; it also shows NaN and Infinity as such instead of `null`.
 *
 * @example
 * previewValue([[1, 2], [3, NaN]]); // '[[1,2],[3,NaN]]'
 * previewValue('x'.repeat(100), 20); // '"xxxxxxxxxxxxxxxx...'
 */
export function previewValue(value: unknown, maxChars = 60): string {
  const text = render(value, MAX_DEPTH);
  return text.length > maxChars ? `${text.slice(0, maxChars - 3)}...` : text;
}
