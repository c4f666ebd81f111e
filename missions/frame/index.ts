/**
 * Local metric frame and the typed input error of the coverage side of `missions/`.
 *
 * - `createLocalFrame(center: [lon, lat]): LocalFrame` — transverse Mercator centred on `center`;
 *   `frame.toLocal([lon, lat]) → [xM, yM]` (x east, y north), `frame.toLonLat([xM, yM]) → [lon, lat]`.
 * - `frameForCoordinates(coordinates)` — the same, centred on the bounding box of any GeoJSON coordinates.
 * - `MissionInputError` (`code`, `path`, `message`) for rejected input.
 */
export { createLocalFrame, frameForCoordinates } from './local-frame';
export type { LocalFrame } from './local-frame';
export { MissionInputError } from './mission-input-error';
export type { MissionInputCode } from './mission-input-error';
