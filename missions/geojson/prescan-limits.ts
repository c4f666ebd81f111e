import type { AreaIssue } from './area-issue-codes';
import { formatPath } from './json-path';

/**
 * Default nesting limit: a FeatureCollection of MultiPolygons needs 8 levels; properties get room.
 *
 * @example
 * prescanLimits(input, { maxDepth: DEFAULT_MAX_DEPTH });
 */
export const DEFAULT_MAX_DEPTH = 64;
/**
 * Default vertex limit: the largest real fixture (Natural Earth rivers, 478 features) has 25,751.
 *
 * @example
 * validateArea(input, { kind: 'forest', maxVertices: DEFAULT_MAX_VERTICES / 2 });
 */
export const DEFAULT_MAX_VERTICES = 200_000;

/** Limits of {@link prescanLimits}; both default (`DEFAULT_MAX_DEPTH`, `DEFAULT_MAX_VERTICES`). */
export interface PrescanLimitsOptions {
  /** Deepest allowed nesting of arrays and objects (the root is depth 1). */
  maxDepth?: number;
  /** Most positions allowed (an array whose first element is a number counts as one). */
  maxVertices?: number;
}

/** What {@link prescanLimits} counted, e.g. `{ depth: 8, vertexCount: 3039 }`. */
export interface PrescanFigures {
  /** Deepest nesting seen (stops growing once the limit is passed). */
  depth: number;
  /** Positions counted (stops growing once the limit is passed). */
  vertexCount: number;
}

interface Frame {
  value: object;
  depth: number;
  parent: Frame | undefined;
  key: string | number;
}

const pathOf = (frame: Frame): string => {
  const keys: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) keys.push(f.key);
  return formatPath(keys.reverse());
};

/**
 * Checks nesting depth and vertex count of already-parsed JSON with an explicit stack (no
 * recursion), so a hostile body of 10,000 nested arrays or millions of positions is refused
 * before any recursive walk can overflow the call stack. Stops at the first limit passed.
 *
 * @example
 * const { issues } = prescanLimits(JSON.parse(body), { maxDepth: 64, maxVertices: 200_000 });
 * if (issues.length > 0) return { ok: false, issues };
 */
export function prescanLimits(
  input: unknown,
  options: PrescanLimitsOptions = {},
): { figures: PrescanFigures; issues: AreaIssue[] } {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxVertices = options.maxVertices ?? DEFAULT_MAX_VERTICES;
  const figures: PrescanFigures = { depth: 0, vertexCount: 0 };
  if (typeof input !== 'object' || input === null) return { figures, issues: [] };
  const stack: Frame[] = [{ value: input, depth: 1, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > figures.depth) figures.depth = frame.depth;
    if (frame.depth > maxDepth) {
      const path = pathOf(frame);
      return {
        figures,
        issues: [
          {
            path,
            code: 'DEPTH_LIMIT_EXCEEDED',
            message: `nesting at '${path}' is deeper than ${maxDepth} levels: GeoJSON areas need far fewer; flatten the input`,
          },
        ],
      };
    }
    const childDepth = frame.depth + 1;
    if (Array.isArray(frame.value)) {
      const items: unknown[] = frame.value;
      if (typeof items[0] === 'number' && ++figures.vertexCount > maxVertices) {
        return {
          figures,
          issues: [
            {
              path: '',
              code: 'VERTEX_LIMIT_EXCEEDED',
              message: `the input has more than ${maxVertices} positions: simplify the area or split it into several uploads`,
            },
          ],
        };
      }
      for (let i = items.length - 1; i >= 0; i--) {
        const item = items[i];
        if (typeof item === 'object' && item !== null) {
          stack.push({ value: item, depth: childDepth, parent: frame, key: i });
        }
      }
    } else {
      const record = frame.value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const item = record[key];
        if (typeof item === 'object' && item !== null) {
          stack.push({ value: item, depth: childDepth, parent: frame, key });
        }
      }
    }
  }
  return { figures, issues: [] };
}
