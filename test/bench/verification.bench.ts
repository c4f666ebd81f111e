/**
 * Verification figures.
 * - take-up: from a stored verification request to its mission in the fleet (nearest capable
 *   dock, energy check, planPatrol of the close-up tour, stored plan, mission request, standing
 *   approval, each step a durable commit), timed from the service's own steps over HTTP
 *   requests; as a ratio to planning the same tour alone (planPatrol) in the same process.
 */
import { planPatrol } from '../../missions/index';
import { alertsServiceFor } from '../../src/routes/alerts/alerts-context';
import {
  verificationPatrolInput,
  verificationServiceFor,
} from '../../src/services/verification/index';
import { at, hotspot, square } from '../alerts/fixtures';
import { call, createTestApp } from '../support/test-app';
import { median, opsPerSecond, type Benchmark } from './harness';

const ROUNDS = 30;

const benchmarks: Benchmark[] = [
  {
    group: 'verification',
    name: 'request → mission (take-up) vs planPatrol of the same tour',
    async run() {
      const t = createTestApp({ env: { LOG_LEVEL: 'warn' } });
      try {
        const operator = t.key('State Grid Yuhang', 'utility', 'operator');
        const forestry = t.key('Yuhang Forestry', 'forestry', 'operator');
        t.deps.repos.agencies.update(
          t.agencyId('Yuhang Forestry'),
          { jurisdiction: { type: 'Polygon', coordinates: [square(-3000, -3000, 6000)] } },
          new Date(),
        );
        const dockPosition = at(600, 0);
        const dock = await call(t, 'POST', '/v1/docks', {
          key: operator,
          json: {
            name: 'east',
            position: dockPosition,
            groundAltM: 60,
            linkUrl: 'udpin://0.0.0.0:14550',
            systemId: 10,
            shared: true,
          },
        });
        await call(t, 'POST', '/v1/drones', {
          key: operator,
          json: {
            dockId: dock.body.id,
            name: 'd',
            systemId: 11,
            model: 'M30T',
            cruiseSpeedMps: 10,
            maxFlightTimeMin: 30,
            batteryReservePct: 25,
            payloads: [{ kind: 'ir', hfovDeg: 45 }],
          },
        });
        const alerts = alertsServiceFor(t.deps);
        const verification = verificationServiceFor(t.deps, alerts);
        await call(t, 'POST', '/v1/detections', {
          key: operator,
          json: { detections: [hotspot({ atMs: Date.now() })] },
        });
        let alertId: string | undefined;
        for (let i = 0; i < 100 && !alertId; i++) {
          alertId = (await call(t, 'GET', '/v1/alerts', { key: forestry })).body.items?.[0]?.id;
          if (!alertId) await new Promise((r) => setTimeout(r, 50));
        }
        if (!alertId) return { figures: {}, notes: ['no alert was made; skipped'] };

        const takeUpMs: number[] = [];
        const wallMs: number[] = [];
        let outcome = '';
        for (let i = 0; i < ROUNDS; i++) {
          const started = performance.now();
          const posted = await call(t, 'POST', `/v1/alerts/${alertId}/verification`, {
            key: forestry,
            json: {},
          });
          await verification.idle();
          wallMs.push(performance.now() - started);
          const rec = verification.records.get(posted.body.id as string);
          const steps = rec?.flight?.steps ?? [];
          outcome = rec?.request.status ?? 'missing';
          const from = steps.find((s) => s.status === 'requested');
          const to = steps.find((s) => s.status === 'mission_created');
          if (from && to) takeUpMs.push(Date.parse(to.at) - Date.parse(from.at));
        }
        const alert = verification.records.alertOf(alertId)!;
        const input = verificationPatrolInput(
          {
            id: alert.id,
            alertType: alert.alertType,
            centroid: [alert.lon, alert.lat],
            radiusM: alert.radiusM,
          },
          {
            id: dock.body.id as string,
            position: dockPosition,
            groundAltM: 60,
            drone: { cruiseSpeedMps: 10, maxFlightTimeMin: 30, batteryReservePct: 25 },
          },
        );
        const planMs = 1000 / opsPerSecond(() => planPatrol(input), { minMs: 500 });
        const sorted = [...takeUpMs].sort((a, b) => a - b);
        const p95 = sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? null;
        const med = takeUpMs.length > 0 ? median(takeUpMs) : null;
        return {
          figures: {
            rounds: ROUNDS,
            lastStatus: outcome,
            takeUpMedianMs: med,
            takeUpP95Ms: p95,
            postToIdleMedianMs: median(wallMs),
            planPatrolMs: Math.round(planMs * 100) / 100,
            takeUpOverPlanRatio: med === null ? null : Math.round((med / planMs) * 10) / 10,
          },
          notes: [
            'take-up = stored request → mission in the fleet, from the service’s step times (ms resolution)',
          ],
        };
      } finally {
        t.close();
      }
    },
  },
];

export default benchmarks;
