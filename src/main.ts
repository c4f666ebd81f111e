import { serve, type ServerType } from '@hono/node-server';
import { createRepositories, openDatabase } from '../db/index';
import { createApp, type AppDeps } from './app';
import { BridgeDispatcher, fleetServiceFor } from './services/fleet/index';
import { ConfigError, loadConfig, type Config } from './config';
import { SecretKeyError } from './services/alerts/secret-box';
import { createLogger, type Logger } from './logger';
import { PlanRunner } from './services/plans/plan-runner';
import { bootstrapFirstAdmin } from './services/bootstrap/bootstrap-first-admin';

export interface RunningService {
  config: Config;
  url: string;
  stop(reason?: string): Promise<void>;
}

/**
 * loadConfig → openDatabase (migrates) → createApp → serve. SIGINT/SIGTERM stop accepting,
 * let in-flight requests finish (up to SHUTDOWN_GRACE_MS), then close the store.
 */
export async function startService(
  env: Record<string, string | undefined> = process.env,
  logger?: Logger,
): Promise<RunningService> {
  const config = loadConfig(env);
  const log = logger ?? createLogger({ level: config.LOG_LEVEL });
  const store = openDatabase(config.DATABASE_PATH);
  const repos = createRepositories(store.db);
  const firstKeyFile = bootstrapFirstAdmin(repos, {
    databasePath: config.DATABASE_PATH,
    agencyName: config.BOOTSTRAP_AGENCY,
    ttlDays: config.API_KEY_TTL_DAYS,
    now: new Date(),
  });
  if (firstKeyFile) {
    log.info(
      { file: firstKeyFile, agency: config.BOOTSTRAP_AGENCY },
      'empty store: created the utility agency and its first admin key; read the key from the file',
    );
  }
  const planRunner = new PlanRunner({
    repos,
    logger: log,
    now: () => new Date(),
    maxConcurrent: config.PLAN_WORKERS,
  });
  const resumed = planRunner.resumePending();
  if (resumed > 0) log.info({ plans: resumed }, 'resumed plans left pending by the previous run');
  const deps: AppDeps = { config, store, repos, logger: log, now: () => new Date(), planRunner };
  const app = createApp(deps);
  // The fleet: the same service the routes use, flying over the MAVLink bridge.
  const fleet = fleetServiceFor(deps);
  const dispatcher =
    config.FLEET_DISPATCH === 'bridge' ? new BridgeDispatcher({ positionRateHz: 10 }) : null;
  if (dispatcher) {
    fleet.useDispatcher(dispatcher);
    const recovered = fleet.recover();
    log.info(recovered, 'fleet state recovered from the store');
    const observed = fleet.observeFleet();
    log.info({ docks: observed }, 'watching dock links');
    fleet.start();
  }

  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  log.info({ url, database: config.DATABASE_PATH }, 'shared flights service listening');

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop') =>
    (stopping ??= new Promise<void>((resolve) => {
      log.info({ reason }, 'shutting down: no new connections, finishing in-flight requests');
      const force = setTimeout(() => {
        log.warn(
          { graceMs: config.SHUTDOWN_GRACE_MS },
          'grace period over; closing remaining connections',
        );
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, config.SHUTDOWN_GRACE_MS);
      force.unref();
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      server.close(() => {
        clearTimeout(force);
        // Let go of the sorties first (nothing is commanded), then close the links, then the
        // store: no write meets a closed link or database on the way out.
        void fleet
          .release()
          .then(() => dispatcher?.close())
          .catch((err: unknown) => log.error({ err }, 'fleet release failed'))
          .finally(() => {
            store.close();
            log.info('stopped; store closed');
            log.flush();
            resolve();
          });
      });
    }));
  return { config, url, stop };
}

const isEntry =
  process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;

if (isEntry) {
  try {
    const service = await startService();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        void service.stop(signal).then(() => process.exit(0));
      });
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    // a key that opens none of the stored webhook secrets is configuration too: say which, no stack
    if (err instanceof SecretKeyError) {
      process.stderr.write(`cannot start: ${err.name}: ${err.message}\n`);
      process.exit(78);
    }
    process.stderr.write(
      `cannot start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  }
}
