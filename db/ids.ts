import { randomBytes } from 'node:crypto';

/**
 * A random, prefixed, URL-safe id (`area_9fJ2…`): the prefix says what it names; 96 random bits
 * make ids unguessable, so a guessed id is just "not found".
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
