// The ingest body is validated by zod's compiled schema (z.compile): it must give the same
// output, key order included (the request hash is taken over it), and the same issues as the
// schema it is made of, on valid batches and on batches broken in every way a client can.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { seededRandom } from '../../missions/index';
import { detectionBatchSchema, detectionSchema } from '../../src/services/alerts/index';
import { canopyChange, hotspot, plume, T0, waterLevel } from './fixtures';

const interpreted = z.object({ detections: z.array(detectionSchema).min(1).max(1000) });

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function batch(random: () => number): { detections: Json[] } {
  const makers = [
    () => hotspot({ eastM: random() * 900, northM: random() * 900, atMs: T0 + random() * 1e6 }),
    () => canopyChange(random() * 900, random() * 900, 10 + random() * 40),
    () => plume(random() * 900, random() * 900, 1 + random() * 9),
    () => waterLevel(random() * 900, random() * 900, random() * 3),
  ];
  const n = 1 + Math.floor(random() * 6);
  return {
    detections: Array.from(
      { length: n },
      () => JSON.parse(JSON.stringify(makers[Math.floor(random() * makers.length)]!())) as Json,
    ),
  };
}

/** Every container on the way to a leaf, with the key that leads on. */
function randomPath(root: Json, random: () => number): { parent: Json; key: string | number }[] {
  const path: { parent: Json; key: string | number }[] = [];
  let at: Json = root;
  while (at !== null && typeof at === 'object') {
    const keys: (string | number)[] = Array.isArray(at) ? at.map((_, i) => i) : Object.keys(at);
    if (keys.length === 0) break;
    const key = keys[Math.floor(random() * keys.length)]!;
    path.push({ parent: at, key });
    at = (at as Record<string | number, Json>)[key]!;
    if (random() < 0.15) break;
  }
  return path;
}

const REPLACEMENTS: unknown[] = [
  'text',
  '',
  null,
  true,
  -1,
  0,
  0.5,
  1e9,
  -1e9,
  3.7,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  [],
  {},
  [1, 2],
  '2026-13-40T99:00:00Z',
  '2026-04-02T03:00:00+08:00',
  'x'.repeat(201),
];

/** One random way of breaking (or harmlessly changing) a body. */
function mutate(body: { detections: Json[] }, random: () => number): { detections: Json[] } {
  const path = randomPath(body, random);
  const last = path[path.length - 1];
  if (!last) return body;
  const parent = last.parent as Record<string | number, unknown>;
  const r = random();
  if (r < 0.55) parent[last.key] = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
  else if (r < 0.7) {
    if (Array.isArray(parent)) parent.splice(Number(last.key), 1);
    else delete parent[last.key];
  } else if (r < 0.8) {
    if (!Array.isArray(parent)) parent.unknownField = 'kept out';
  } else if (r < 0.9) {
    // the same object with its keys in another order
    if (!Array.isArray(parent)) {
      const entries = Object.entries(parent).reverse();
      for (const [k] of entries) delete parent[k];
      for (const [k, v] of entries) parent[k] = v;
    }
  } else if (typeof parent[last.key] === 'number') {
    parent[last.key] = (parent[last.key] as number) * (random() < 0.5 ? -1000 : 1000);
  }
  return body;
}

function same(input: unknown): void {
  const copy = structuredClone(input);
  const fast = detectionBatchSchema.safeParse(input);
  const slow = interpreted.safeParse(copy);
  expect(fast.success).toBe(slow.success);
  if (fast.success && slow.success) {
    expect(JSON.stringify(fast.data)).toBe(JSON.stringify(slow.data));
  } else {
    expect(JSON.stringify(fast.error?.issues)).toBe(JSON.stringify(slow.error?.issues));
  }
}

describe('the compiled ingest schema', () => {
  it('gives the same output and issues as the schema it is made of on 1,500 mutated batches', () => {
    const random = seededRandom(2026);
    let rejected = 0;
    for (let i = 0; i < 1500; i++) {
      const body = batch(random);
      const broken = i % 10 === 0 ? body : mutate(mutate(body, random), random);
      if (!detectionBatchSchema.safeParse(structuredClone(broken)).success) rejected++;
      same(broken);
    }
    // the corpus holds both sides: mostly broken batches, and valid ones with changed key order,
    // unknown keys and harmless values
    expect(rejected).toBeGreaterThan(600);
    expect(rejected).toBeLessThan(1500);
  });

  it('parses asynchronously (as the HTTP validator does) with the same answers', async () => {
    const random = seededRandom(7);
    for (let i = 0; i < 50; i++) {
      const body = mutate(batch(random), random);
      const sync = detectionBatchSchema.safeParse(structuredClone(body));
      const async = await detectionBatchSchema.safeParseAsync(structuredClone(body));
      expect(async.success).toBe(sync.success);
      expect(JSON.stringify(async.success ? async.data : async.error.issues)).toBe(
        JSON.stringify(sync.success ? sync.data : sync.error.issues),
      );
    }
  });

  it('refuses through a rejected promise, never a synchronous throw, when parsed asynchronously', async () => {
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = detectionBatchSchema.parseAsync({ detections: [] });
    }).not.toThrow();
    await expect(promise).rejects.toThrow(z.ZodError);
  });

  it('refuses an empty batch and one over 1,000 detections like the schema it is made of', () => {
    same({ detections: [] });
    const one = batch(seededRandom(1)).detections[0]!;
    same({ detections: Array.from({ length: 1001 }, () => one) });
    same({});
    same(null);
  });
});
