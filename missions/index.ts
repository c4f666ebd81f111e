// Public API of the planning library. Code outside missions/ imports only this file.
export * from './geojson/index';
export * from './frame/index';
export * from './sensor/index';
export * from './coverage/index';
export * from './tour/index';
export * from './sortie/index';
export * from './fence/index';
export * from './formats/index';
export * from './corridor/index';
export * from './plan/index';
export * from './terrain/index';
