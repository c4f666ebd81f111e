/** Protocols as explicit state machines on an injected clock: mission transfer, commands, actions. */
export * from './outcome';
export * from './timing';
export * from './target';
export * from './mission-wire';
export * from './mission-result';
export * from './mission-upload';
export * from './mission-download';
export * from './mission-clear';
export * from './mission-client';
export * from './command';
export * from './flight-modes';
export * from './action-client';
export * from './wait-for-message';
