/**
 * Formats keys as a JSON pointer (RFC 6901: `~` → `~0`, `/` → `~1`); `[]` is the whole document ''.
 *
 * @example
 * formatPath(['features', 3, 'geometry', 'coordinates', 0, 5]); // '/features/3/geometry/coordinates/0/5'
 */
export function formatPath(keys: readonly (string | number)[]): string {
  let out = '';
  for (const key of keys) {
    out += `/${typeof key === 'number' ? key : key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  }
  return out;
}

/**
 * Appends keys to an already formatted pointer.
 *
 * @example
 * joinPath('/features/0', 'geometry', 'coordinates'); // '/features/0/geometry/coordinates'
 */
export function joinPath(base: string, ...keys: (string | number)[]): string {
  return base + formatPath(keys);
}
