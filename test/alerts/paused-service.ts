// The service as src/main.ts starts it, except that processing of accepted batches is paused:
// a crash test kills it between the answer and the rules, deterministically.
import { serve } from '@hono/node-server';
import { createRepositories, openDatabase } from '../../db/index';
import { createApp, type AppDeps } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { alertsServiceFor } from '../../src/routes/alerts/alerts-context';

const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL });
const store = openDatabase(config.DATABASE_PATH);
const deps: AppDeps = {
  config,
  store,
  repos: createRepositories(store.db),
  logger,
  now: () => new Date(),
};
alertsServiceFor(deps).pauseProcessing();
const app = createApp(deps);
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  logger.info({ url: `http://127.0.0.1:${info.port}` }, 'paused service listening');
});
process.once('SIGTERM', () => server.close(() => store.close()));
