/**
 * Persistence for the outgoing signing timestamp. The bridge keeps this as a small file because
 * it is the link's own state (like ArduPilot keeping its timestamp in parameters), not service data.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TimestampStore } from './link-signing';

/**
 * Stores the timestamp as decimal text in one file, replaced atomically (write + rename) so a
 * crash mid-save leaves the previous value, never a torn one.
 *
 * @example
 * const store = new FileTimestampStore('data/signing/drone-1.ts');
 */
export class FileTimestampStore implements TimestampStore {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  load(): bigint | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read signing timestamp ${this.path}`, { cause: err });
    }
    const trimmed = text.trim();
    if (!/^\d+$/.test(trimmed))
      throw new Error(
        `signing timestamp file ${this.path} holds ${JSON.stringify(trimmed.slice(0, 40))}, expected digits`,
      );
    return BigInt(trimmed);
  }

  save(timestamp: bigint): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${timestamp}\n`);
    renameSync(tmp, this.path);
  }
}

/** In-memory store for tests and throwaway links. */
export class MemoryTimestampStore implements TimestampStore {
  value: bigint | undefined;
  saves = 0;

  constructor(initial?: bigint) {
    this.value = initial;
  }

  load(): bigint | undefined {
    return this.value;
  }

  save(timestamp: bigint): void {
    this.value = timestamp;
    this.saves++;
  }
}
