// The drizzle schema: the source of truth for the store. `npm run db:generate` writes migrations.
export * from './agencies';
export * from './areas';
export * from './fleet';
export * from './plans';
export * from './alerts';
export * from './missions';
