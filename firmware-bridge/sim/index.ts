/** The simulator: vehicles and docks that speak real MAVLink, failure modes, lossy links, clocks. */
export * from './failure-modes';
export * from './manual-clock';
export * from './scaled-clock';
export * from './mission-server';
export * from './sim-drone';
export * from './sim-dock';
export * from './lossy-channel';
export * from './lossy-transport';
export * from './pipe-transport';
export * from './sim-fleet';
