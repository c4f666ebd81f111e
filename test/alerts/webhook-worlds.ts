// Alerts worlds that restart on the same database file and loopback webhook receivers, for the
// tests of webhook secrets (sealing, server-key rotation, per-endpoint rotation). Cleans up after
// each test: the restarted worlds first (the first one's folder holds the shared file), then the
// receivers, then any folders handed to `removeLater`.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { keyIdOf } from '../../src/services/alerts/secret-box';
import { createAlertsWorld, type AlertsWorld } from './http-setup';

/** A fresh 32-byte secrets key in base64, as `SECRETS_KEY` takes it. */
export const newKey = (): string => randomBytes(32).toString('base64');

/** The key id a sealed secret names for a base64 key. */
export const idOf = (base64: string): string => keyIdOf(Buffer.from(base64, 'base64'));

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export function useWebhookWorlds() {
  const worlds: AlertsWorld[] = [];
  const servers: Server[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const w of worlds.splice(0).reverse()) {
      w.service.stop();
      await w.service.deliverDueWebhooks();
      w.t.close();
    }
    await Promise.all(
      servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const world = (env: Record<string, string> = {}): AlertsWorld => {
    const w = createAlertsWorld(undefined, env);
    worlds.push(w);
    return w;
  };

  return {
    world,
    /** The service of `w` stops (as a process would) and a new one starts on the same file. */
    restart: (w: AlertsWorld, env: Record<string, string> = {}): AlertsWorld => {
      w.service.stop();
      return world({ DATABASE_PATH: w.t.deps.config.DATABASE_PATH, ...env });
    },
    /** A loopback HTTP receiver answering 204; `url` is `base` + `/hook`. */
    receiver: async (): Promise<{ base: string; url: string; received: Received[] }> => {
      const received: Received[] = [];
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          received.push({ path: req.url ?? '', headers: req.headers, body });
          res.statusCode = 204;
          res.end();
        });
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return { base, url: `${base}/hook`, received };
    },
    /** Removes these folders after the test, once the worlds using them are closed. */
    removeLater: (...paths: string[]): void => {
      dirs.push(...paths);
    },
  };
}
