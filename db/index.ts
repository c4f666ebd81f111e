// Public API of the store. Code outside db/ imports only this file.
export * from './open-database';
export * from './pagination';
export * from './repositories/index';
export { newId } from './ids';
export * from './schema/index';
