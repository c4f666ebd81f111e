// Shared shapes of the planning library: mission items, work paths, docks and drone profiles.
export * from './mission-item';
export * from './mav-cmd';
export * from './work-path';
export * from './drone-profile';
export * from './seeded-random';
export * from './plan';
