import { describe, expect, it } from 'vitest';
import {
  droneProfileIssues,
  pathCost,
  stoppingDistanceM,
  turnTimeS,
  usableRangeM,
  usableTimeS,
} from '../../../missions/sortie/index';
import { DEFAULT_DRONE } from '../../../missions/types/index';

describe('energy model', () => {
  const drone = {
    ...DEFAULT_DRONE,
    cruiseSpeedMps: 10,
    accelerationMps2: 2,
    windMps: 3,
    enduranceS: 2400,
    reservePct: 25,
  };

  it('keeps the reserve out of the usable time and range', () => {
    expect(usableTimeS(drone)).toBe(1800);
    expect(usableRangeM(drone)).toBe(1800 * 7);
  });

  it('costs a U-turn v/a, a right angle half of it and straight flight nothing', () => {
    expect(turnTimeS(Math.PI, drone)).toBeCloseTo(5, 9);
    expect(turnTimeS(Math.PI / 2, drone)).toBeCloseTo(2.5, 9);
    expect(turnTimeS(0, drone)).toBe(0);
  });

  it('measures a path at the wind-reduced speed with its turns', () => {
    const cost = pathCost(
      [
        [0, 0],
        [700, 0],
        [700, 700],
        [0, 700],
      ],
      drone,
    );
    expect(cost.lengthM).toBeCloseTo(2100, 9);
    expect(cost.turns).toBe(2);
    expect(cost.timeS).toBeCloseTo(300 + 2 * 2.5, 9);
  });

  it('gives the stopping distance v²/2a', () => {
    expect(stoppingDistanceM(drone)).toBe(25);
  });

  it('names every bad field of a drone profile', () => {
    expect(droneProfileIssues(drone)).toEqual([]);
    expect(droneProfileIssues({ ...drone, cruiseSpeedMps: -1, reservePct: 100 })).toEqual([
      'cruiseSpeedMps: must be a number > 0 m/s, got -1',
      'reservePct: must be in [0, 100) percent, got 100',
      'windMps: must be below cruiseSpeedMps (-1 m/s), got 3',
    ]);
  });
});
