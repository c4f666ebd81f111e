import type { Db } from '../open-database';
import { AgenciesRepository } from './agencies-repository';
import { AreasRepository } from './areas-repository';
import { FleetRepository } from './fleet-repository';
import { FleetOpsRepository } from './fleet-ops-repository';
import { MissionsRepository } from './missions-repository';
import { PlansRepository } from './plans-repository';

export * from './agencies-repository';
export * from './alerts-repository';
export * from './alerts-audit-repository';
export * from './alerts-ingest-repository';
export * from './alerts-config-repository';
export * from './alerts-webhooks-repository';
export * from './areas-repository';
export * from './fleet-repository';
export * from './fleet-ops-repository';
export * from './missions-repository';
export * from './plans-repository';
export * from './scope';
export * from './verification-repository';

/** Every repository over one database handle. */
export function createRepositories(db: Db) {
  return {
    agencies: new AgenciesRepository(db),
    areas: new AreasRepository(db),
    fleet: new FleetRepository(db),
    plans: new PlansRepository(db),
    missions: new MissionsRepository(db),
    fleetOps: new FleetOpsRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
