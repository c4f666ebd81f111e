import type { Repositories, Database_ } from '../../db/index';
import type { Config } from '../config';
import type { ErrorCode } from '../errors';
import type { Logger } from '../logger';
import type { PlanRunner } from '../services/plans/plan-runner';
import type { AgencyKind, Role } from '../../db/index';

/** Who is calling, as established by the API key. */
export interface AuthContext {
  keyId: string;
  agencyId: string;
  agencyName: string;
  agencyKind: AgencyKind;
  role: Role;
  /** The utility's admins see every agency's data. */
  seesAll: boolean;
}

export interface AppDeps {
  config: Config;
  store: Database_;
  repos: Repositories;
  logger: Logger;
  /** Injected clock (tests pass a fixed one). */
  now: () => Date;
  /** Runs plans in worker threads; createApp makes one when absent. */
  planRunner?: PlanRunner;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    auth: AuthContext;
    errorCode: ErrorCode;
  };
};
