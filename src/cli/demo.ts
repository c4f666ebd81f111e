/**
 * `npm run demo [-- --exit-when-done] [-- --speed-up N]`: the service on its embedded SQLite
 * store together with a simulated fleet on real sockets — two docks on UDP and one on a serial
 * pseudo-terminal at the edge of the Yuhang hills — then agencies, keys, patrol areas, plans and two
 * patrols flown at once at a speed-up, each with its progress bar: the utility's forest-fire patrol
 * from the first dock, and the water bureau's stream patrol from the serial dock, requested on the
 * shared dock and approved by the utility. It keeps running (and keeps the database under
 * ./data/demo/) until Ctrl-C; with --exit-when-done it exits 0 once every demo patrol has landed
 * and its record is stored, or non-zero with the reason.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { startSimFleet, type SimFleet } from '../../firmware-bridge/index';
import { createLogger } from '../logger';
import { startService, type RunningService } from '../main';

// Dock sites on the edge of the western Yuhang hills (Jingshan / Changle forest farm), WGS-84.
const UDP_DOCKS_HOME: [number, number] = [119.8, 30.335];
const SERIAL_DOCK_HOME: [number, number] = [119.85, 30.385];
// A forest block of about 500 m × 350 m above the first dock, and a stream for the water bureau.
const FOREST_BLOCK = {
  type: 'Feature',
  properties: { name: 'Changle forest block 7' },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [119.8005, 30.3365],
        [119.8057, 30.3365],
        [119.8057, 30.3396],
        [119.8005, 30.3396],
        [119.8005, 30.3365],
      ],
    ],
  },
};
const STREAM = {
  type: 'LineString',
  coordinates: [
    [119.84, 30.37],
    [119.85, 30.378],
    [119.862, 30.383],
  ],
};
const JURISDICTION = {
  type: 'Polygon',
  coordinates: [
    [
      [119.7, 30.25],
      [120.0, 30.25],
      [120.0, 30.5],
      [119.7, 30.5],
      [119.7, 30.25],
    ],
  ],
};

class DemoError extends Error {}

/** A JSON answer of the service's own API (its shapes are in the OpenAPI document). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the demo reads fields of its own API's answers
type Answer = Record<string, any>;

const { values } = parseArgs({
  options: {
    'exit-when-done': { type: 'boolean', default: false },
    'speed-up': { type: 'string', default: '10' },
    'timeout-s': { type: 'string', default: '900' },
    'data-dir': { type: 'string', default: join('data', 'demo') },
  },
});
const speedUp = Number(values['speed-up']);
const timeoutS = Number(values['timeout-s']);
if (!(speedUp >= 1 && speedUp <= 50))
  throw new DemoError(`--speed-up ${values['speed-up']}: expected 1–50`);

const say = (line: string) => process.stdout.write(`${line}\n`);
const cleanups: (() => Promise<unknown> | unknown)[] = [];
let service: RunningService | undefined;

async function api(method: string, path: string, key: string, body?: unknown): Promise<Answer> {
  if (!service) throw new DemoError('service not started');
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Answer;
  if (!res.ok)
    throw new DemoError(`${method} ${path} answered ${res.status} ${json.code}: ${json.detail}`);
  return json;
}

function bar(fraction: number, width = 30): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

/**
 * Shows one progress bar per patrol until every sortie is done (redrawn in place on a terminal,
 * one line per change otherwise); throws with the reason when one fails, aborts or is held by a
 * vehicle failsafe, or the time runs out. Returns each patrol's final sortie.
 */
async function watchPatrols(
  patrols: { label: string; missionId: string }[],
  key: string,
): Promise<Answer[]> {
  const started = Date.now();
  const tty = process.stdout.isTTY;
  const last = new Map<string, string>();
  let drawn = 0;
  for (;;) {
    const sorties: Answer[] = [];
    for (const p of patrols) {
      const s = ((await api('GET', `/v1/missions/${p.missionId}`, key)).sorties as Answer[])[0];
      if (!s) throw new DemoError(`mission ${p.missionId} has no sortie`);
      sorties.push(s);
    }
    const lines = sorties.map(
      (s, i) =>
        `  ${patrols[i]!.label.padEnd(7)} ${String(s.state).padEnd(10)} ${bar(s.progress.progressPct / 100)} item ${s.progress.lastReachedItem}/${s.progress.totalItems}`,
    );
    if (tty) {
      if (lines.some((l, i) => l !== last.get(patrols[i]!.label))) {
        if (drawn > 0) process.stdout.write(`\x1b[${drawn}F`);
        process.stdout.write(lines.map((l) => `\x1b[2K${l}\n`).join(''));
        drawn = lines.length;
      }
    } else {
      for (const [i, l] of lines.entries()) {
        if (l !== last.get(patrols[i]!.label)) say(l);
      }
    }
    lines.forEach((l, i) => last.set(patrols[i]!.label, l));
    for (const [i, s] of sorties.entries()) {
      const label = patrols[i]!.label;
      if (s.failsafeHold)
        throw new DemoError(
          `${label}: the vehicle entered its own failsafe (${s.reasonCode ?? 'failsafe'} ${s.reasonDetail ?? ''}); an operator must decide`,
        );
      if (s.state === 'failed' || s.state === 'aborted')
        throw new DemoError(
          `${label}: the sortie ${s.state}: ${s.reasonCode} ${s.reasonDetail ?? ''}`,
        );
    }
    if (sorties.every((s) => s.state === 'done')) return sorties;
    if (Date.now() - started > timeoutS * 1000)
      throw new DemoError(`the patrols did not finish within ${timeoutS} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<number> {
  const dir = values['data-dir'];
  rmSync(dir, { recursive: true, force: true });
  const databasePath = join(dir, 'shared-flights.db');
  say(`Shared Flights demo (speed-up ×${speedUp}); database ${databasePath}`);

  const udpFleet: SimFleet = await startSimFleet({
    docks: 2,
    udpBasePort: 0,
    timeScale: speedUp,
    home: UDP_DOCKS_HOME,
    roofTravelMs: 20_000,
    // The simulated vehicles' clocks run speedUp times faster; their GCS failsafe must still
    // mean 5 s of real silence, or the service's 1 Hz heartbeat would look lost.
    drone: { ekfConvergeMs: 0, armingReadyMs: 0, gcsFailsafeTimeoutMs: 5_000 * speedUp },
  });
  cleanups.push(() => udpFleet.close());
  const serialFleet: SimFleet = await startSimFleet({
    docks: 1,
    serial: true,
    systemIdOffset: 2, // dock 103 with drone 3, after the UDP fleet's 101 / 1 and 102 / 2
    timeScale: speedUp,
    home: SERIAL_DOCK_HOME,
    roofTravelMs: 20_000,
    // The simulated vehicles' clocks run speedUp times faster; their GCS failsafe must still
    // mean 5 s of real silence, or the service's 1 Hz heartbeat would look lost.
    drone: { ekfConvergeMs: 0, armingReadyMs: 0, gcsFailsafeTimeoutMs: 5_000 * speedUp },
  });
  cleanups.push(() => serialFleet.close());
  const simDocks = [...udpFleet.vehicles, ...serialFleet.vehicles].filter((v) => v.kind === 'dock');
  for (const d of simDocks)
    say(`  simulated dock ${d.systemId} with drone ${d.drone?.systemId}: ${d.url}`);

  service = await startService(
    {
      ...process.env,
      DATABASE_PATH: databasePath,
      FLEET_DISPATCH: 'bridge',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }),
  );
  cleanups.push(() => service?.stop('demo ends'));
  const admin = readFileSync(join(dir, 'first-admin-key.txt'), 'utf8').trim();
  say(`service at ${service.url}`);

  const utility = (await api('GET', '/v1/agencies', admin)).items[0];
  await api('PATCH', `/v1/agencies/${utility.id}`, admin, {
    jurisdiction: JURISDICTION,
    alertTypes: ['fire'],
  });
  const forestry = await api('POST', '/v1/agencies', admin, {
    name: 'Yuhang forestry bureau',
    kind: 'forestry',
    jurisdiction: JURISDICTION,
    alertTypes: ['fire', 'illegal_logging'],
  });
  const water = await api('POST', '/v1/agencies', admin, {
    name: 'Yuhang water bureau',
    kind: 'water',
    jurisdiction: JURISDICTION,
    alertTypes: ['flood', 'pollution'],
  });
  await api('POST', '/v1/agencies', admin, {
    name: 'Yuhang emergency management',
    kind: 'emergency',
    jurisdiction: JURISDICTION,
    alertTypes: ['fire', 'flood', 'illegal_logging', 'pollution'],
  });
  const forestryKey = (
    await api('POST', `/v1/agencies/${forestry.id}/keys`, admin, { role: 'analyst', name: 'demo' })
  ).key as string;
  const waterKey = (
    await api('POST', `/v1/agencies/${water.id}/keys`, admin, { role: 'planner', name: 'demo' })
  ).key as string;

  const docks: { id: string; name: string }[] = [];
  for (const [i, d] of simDocks.entries()) {
    // The simulator spaces each fleet's docks 200 m east of its home.
    const [home, index] = i < 2 ? [UDP_DOCKS_HOME, i] : [SERIAL_DOCK_HOME, i - 2];
    const position = [
      home[0] + (200 * index) / (111_320 * Math.cos((home[1] * Math.PI) / 180)),
      home[1],
    ];
    const dock = await api('POST', '/v1/docks', admin, {
      name: `Yuhang hills dock ${i + 1}${d.url.startsWith('serial') ? ' (serial)' : ''}`,
      position,
      groundAltM: 40 + 20 * i,
      linkUrl: d.url,
      systemId: d.systemId,
      // Shared flights: every agency may plan from the utility's docks and request sorties there.
      shared: true,
    });
    await api('POST', '/v1/drones', admin, {
      dockId: dock.id,
      name: `M30T-${i + 1}`,
      systemId: d.drone!.systemId,
      model: 'simulated copter',
      cruiseSpeedMps: 10,
      maxFlightTimeMin: 30,
      batteryReservePct: 25,
      payloads: [
        {
          kind: 'ir',
          sensorWidthMm: 7.68,
          sensorHeightMm: 6.144,
          focalLengthMm: 13,
          imageWidthPx: 640,
          imageHeightPx: 512,
        },
      ],
    });
    docks.push({ id: dock.id, name: dock.name });
  }
  say(`registered ${docks.length} docks and their drones`);

  const forest = await fetch(`${service.url}/v1/areas?kind=forest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/geo+json' },
    body: JSON.stringify(FOREST_BLOCK),
  }).then((r) => r.json() as Promise<Answer>);
  if (!forest.id) throw new DemoError(`forest upload failed: ${JSON.stringify(forest)}`);
  const stream = await fetch(
    `${service.url}/v1/areas?kind=river&corridorWidthM=60&name=Jingshan%20stream`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${waterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(STREAM),
    },
  ).then((r) => r.json() as Promise<Answer>);
  if (!stream.id) throw new DemoError(`stream upload failed: ${JSON.stringify(stream)}`);
  say(
    `uploaded areas: ${forest.name} (${(forest.areaM2 / 10_000).toFixed(1)} ha) and the Jingshan stream`,
  );

  const describe = (what: string, plan: Answer) => {
    const stats = plan.statistics;
    say(
      `planned the ${what}: ${stats.sorties} sortie(s), ${(stats.lengthM / 1000).toFixed(2)} km, ${(stats.flightTimeS / 60).toFixed(1)} min, coverage ${stats.coveragePct?.toFixed(1)} %, lower bound ratio ${(stats.lengthM / stats.lowerBoundM).toFixed(3)}`,
    );
  };
  const forestPlan = await api('POST', '/v1/plans', admin, {
    areaIds: [forest.id],
    dockIds: [docks[0]!.id],
    options: { altitudeAglM: 80 },
  });
  describe('forest patrol', forestPlan);
  // The water bureau plans its stream from the utility's shared serial dock.
  const riverDock = docks[docks.length - 1]!;
  const streamPlan = await api('POST', '/v1/plans', waterKey, {
    areaIds: [stream.id],
    dockIds: [riverDock.id],
    options: { altitudeAglM: 80 },
  });
  describe('stream patrol', streamPlan);

  const forestMission = await api('POST', '/v1/missions', admin, {
    name: 'Changle forest-fire patrol',
    purpose: 'forest_fire_patrol',
    areaIds: [forest.id],
    dockId: docks[0]!.id,
    planId: forestPlan.id,
    schedule: { kind: 'immediate' },
  });
  say(`mission ${forestMission.id} (utility, ${docks[0]!.name}) approved at once`);
  const riverRequest = await api('POST', '/v1/missions', waterKey, {
    name: 'Jingshan stream flood patrol',
    purpose: 'river_flood',
    areaIds: [stream.id],
    dockId: riverDock.id,
    planId: streamPlan.id,
    schedule: { kind: 'immediate' },
  });
  await api('POST', `/v1/missions/${riverRequest.id}/approve`, admin, {});
  say(
    `mission ${riverRequest.id} requested by the water bureau on ${riverDock.name}, approved by the utility`,
  );
  say('flying…');

  const patrols = [
    { label: 'forest', missionId: forestMission.id as string },
    { label: 'stream', missionId: riverRequest.id as string },
  ];
  const finals = await watchPatrols(patrols, admin);
  for (const [i, p] of patrols.entries()) {
    const sortieId = finals[i]!.id as string;
    const track = await fetch(
      `${service.url}/v1/missions/${p.missionId}/sorties/${sortieId}/track`,
      { headers: { authorization: `Bearer ${admin}` } },
    ).then((r) => r.json() as Promise<Answer>);
    const points = track.geometry?.coordinates?.length ?? 0;
    say(
      `${p.label} patrol landed, its dock closed and is charging; flight recorded with ${points} track points`,
    );
  }

  // The live fleet picture: every dock registered after start is watched (roof, charger, weather).
  const picture = await api('GET', '/v1/fleet', admin);
  const live = (picture.docks as Answer[]).filter((d) => d.state?.live === true);
  say(
    `fleet: ${live.length} of ${picture.docks.length} docks live — ${(picture.docks as Answer[])
      .map(
        (d) =>
          `${d.name}: ${d.state ? `roof ${d.state.roof}, charger ${d.state.charger}, wind ${d.state.windMps} m/s` : 'not heard'}`,
      )
      .join('; ')}`,
  );

  say('');
  say(`explore:  ${service.url}/docs   (API page; Authorize with a key below)`);
  say(
    `          curl -N ${service.url}/v1/fleet/stream -H "Authorization: Bearer <key>"   (live fleet)`,
  );
  say(`keys:     utility admin     ${admin}`);
  say(`          forestry analyst  ${forestryKey}`);
  say(`          water planner     ${waterKey}`);
  return 0;
}

async function shutdown(code: number): Promise<never> {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      process.stderr.write(
        `demo: cleanup failed: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
  }
  process.exit(code);
}

try {
  await main();
  if (values['exit-when-done']) await shutdown(0);
  say(`running until Ctrl-C; the database stays in ${values['data-dir']} for inspection`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(0));
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  await shutdown(1);
}
