import { describe, expect, it } from 'vitest';
import { prescanLimits, validateArea } from '../../../missions/index';

describe('prescanLimits', () => {
  it('counts depth and positions of a FeatureCollection of MultiPolygons', () => {
    const ring = [
      [120, 30.4],
      [120.01, 30.4],
      [120.01, 30.41],
      [120, 30.4],
    ];
    const input = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { tags: ['a'] },
          geometry: { type: 'MultiPolygon', coordinates: [[ring], [ring]] },
        },
      ],
    };
    expect(prescanLimits(input)).toEqual({ figures: { depth: 8, vertexCount: 8 }, issues: [] });
  });

  it('names the path of the first level too deep', () => {
    const { issues } = prescanLimits({ a: [{ b: [[[1]]] }] }, { maxDepth: 4 });
    expect(issues.map((i) => [i.code, i.path])).toEqual([['DEPTH_LIMIT_EXCEEDED', '/a/0/b/0']]);
    expect(issues[0]?.message).toContain('deeper than 4 levels');
  });

  it('escapes "/" and "~" in keys of the path (RFC 6901)', () => {
    const { issues } = prescanLimits({ 'a/b': { '~c': [[]] } }, { maxDepth: 3 });
    expect(issues[0]?.path).toBe('/a~1b/~0c/0');
  });

  it('walks a 100,000-level array without recursion when the limit allows it', () => {
    let deep: unknown = [1];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(prescanLimits(deep, { maxDepth: 200_000 }).figures).toEqual({
      depth: 100_001,
      vertexCount: 1,
    });
  });
});

describe('non-finite numbers built in code', () => {
  it('reports NaN and Infinity with their paths (JSON.parse yields Infinity for 1e999)', () => {
    const result = validateArea(
      {
        type: 'MultiPoint',
        coordinates: [
          [Number.NaN, 30],
          [120, Number.POSITIVE_INFINITY],
        ],
      },
      { kind: 'points' },
    );
    expect(result.ok ? [] : result.issues.map((i) => [i.code, i.path, i.message])).toEqual([
      [
        'POSITION_NOT_FINITE',
        '/coordinates/0/0',
        'NaN in a position is not a finite number: expected [lon, lat] in degrees',
      ],
      [
        'POSITION_NOT_FINITE',
        '/coordinates/1/1',
        'Infinity in a position is not a finite number: expected [lon, lat] in degrees',
      ],
    ]);
  });
});
