/** Opaque cursors over (created_at, id), the order every list endpoint uses. */
export interface Cursor {
  createdAtMs: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAtMs}:${cursor.id}`, 'utf8').toString('base64url');
}

/** Returns null for a cursor that does not decode (the caller answers 400). */
export function decodeCursor(text: string): Cursor | null {
  const raw = Buffer.from(text, 'base64url').toString('utf8');
  const sep = raw.indexOf(':');
  if (sep <= 0) return null;
  const createdAtMs = Number(raw.slice(0, sep));
  const id = raw.slice(sep + 1);
  if (!Number.isSafeInteger(createdAtMs) || !/^[a-z]+_[A-Za-z0-9_-]+$/.test(id)) return null;
  return { createdAtMs, id };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
