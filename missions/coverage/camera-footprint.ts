import type { LocalFrame } from '../frame/index';
import type { LonLat, XY } from '../types/index';
import type { CameraFootprint } from './types';

const DEG = Math.PI / 180;

/**
 * The ground rectangle of one photo (or one lidar strip) centred at `centerXY` in `frame`, its
 * along-track side parallel to the unit vector `dirXY`.
 *
 * @example
 * footprintAt(frame, [0, 0], [1, 0], 150, 100).corners; // four [lon, lat] corners
 */
export function footprintAt(
  frame: LocalFrame,
  centerXY: XY,
  dirXY: XY,
  acrossM: number,
  alongM: number,
): CameraFootprint {
  const c = centerXY;
  const u: XY = [dirXY[0] * (alongM / 2), dirXY[1] * (alongM / 2)];
  const v: XY = [-dirXY[1] * (acrossM / 2), dirXY[0] * (acrossM / 2)];
  const corners: LonLat[] = [
    frame.toLonLat([c[0] - u[0] - v[0], c[1] - u[1] - v[1]]),
    frame.toLonLat([c[0] + u[0] - v[0], c[1] + u[1] - v[1]]),
    frame.toLonLat([c[0] + u[0] + v[0], c[1] + u[1] + v[1]]),
    frame.toLonLat([c[0] - u[0] + v[0], c[1] - u[1] + v[1]]),
  ];
  const courseDeg = (((Math.atan2(dirXY[0], dirXY[1]) / DEG) % 360) + 360) % 360;
  return { center: frame.toLonLat(c), courseDeg, acrossM, alongM, corners };
}
