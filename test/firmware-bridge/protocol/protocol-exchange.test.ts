import { describe, expect, it } from 'vitest';
import { common } from 'node-mavlink';
import type { MavLinkData } from 'node-mavlink';
import {
  CommandExchange,
  DEFAULT_MISSION_TIMING,
  MissionClear,
  MissionDownload,
  MissionUpload,
  OneShotTimer,
  RetryBudget,
} from '../../../firmware-bridge/protocol/index';
import type { MavEndpoint, ReceivedFrame } from '../../../firmware-bridge/index';
import { ManualClock } from '../../../firmware-bridge/sim/index';
import { sampleMission } from './fixtures';
import { GCS, VEHICLE, downloadFrom, virtualVehicle } from './virtual-vehicle';

/** An endpoint whose link refuses every send, counting its listeners. */
function refusingEndpoint(): MavEndpoint & { listeners: number } {
  const ep = {
    ...GCS,
    listeners: 0,
    send: (_m: MavLinkData): Promise<void> => Promise.reject(new Error('port closed')),
    subscribe: (_l: (f: ReceivedFrame) => void) => {
      ep.listeners++;
      return () => {
        ep.listeners--;
      };
    },
  };
  return ep;
}

describe('RetryBudget', () => {
  it('allows maxRetries per step, then maxRestarts, and counts retries over the whole transfer', () => {
    const budget = new RetryBudget({ maxRetries: 2, maxRestarts: 1 });
    expect([budget.retry(), budget.retry(), budget.retry()]).toEqual([true, true, false]);
    expect(budget.restart()).toBe(true);
    expect([budget.retry(), budget.retry(), budget.retry()]).toEqual([true, true, false]);
    expect(budget.restart()).toBe(false);
    expect(budget).toMatchObject({ retries: 4, restarts: 1 });
    expect(budget.limits).toBe('(2 retries, 1 restarts)');
  });

  it('gives the next step all of its retries once the vehicle answered', () => {
    const budget = new RetryBudget(DEFAULT_MISSION_TIMING);
    for (let i = 0; i < DEFAULT_MISSION_TIMING.maxRetries; i++) expect(budget.retry()).toBe(true);
    budget.answered();
    expect(budget.retry()).toBe(true);
    expect(budget.retries).toBe(DEFAULT_MISSION_TIMING.maxRetries + 1);
    expect(budget.restarts).toBe(0);
  });
});

describe('OneShotTimer', () => {
  it('re-arming replaces the deadline, and once closed it neither fires nor arms again', async () => {
    const clock = new ManualClock();
    const timer = new OneShotTimer(clock);
    const fired: string[] = [];
    timer.arm(100, () => fired.push('first'));
    timer.arm(200, () => fired.push('second'));
    await clock.advance(250);
    expect(fired).toEqual(['second']);
    timer.arm(100, () => fired.push('third'));
    timer.close();
    timer.arm(100, () => fired.push('after close'));
    expect(clock.pending).toBe(0);
    await clock.advance(1000);
    expect(fired).toEqual(['second']);
  });
});

describe('the lifecycle every exchange shares', () => {
  const shared = { clock: new ManualClock(), target: VEHICLE };
  const exchanges = {
    upload: (endpoint: MavEndpoint, signal?: AbortSignal) =>
      new MissionUpload({
        ...shared,
        endpoint,
        missionType: 'mission',
        items: sampleMission(3),
        ...(signal ? { signal } : {}),
      }),
    download: (endpoint: MavEndpoint, signal?: AbortSignal) =>
      new MissionDownload({
        ...shared,
        endpoint,
        missionType: 'fence',
        ...(signal ? { signal } : {}),
      }),
    command: (endpoint: MavEndpoint, signal?: AbortSignal) =>
      new CommandExchange({
        ...shared,
        endpoint,
        request: { command: 400 },
        ...(signal ? { signal } : {}),
      }),
    clear: (endpoint: MavEndpoint) =>
      new MissionClear({ ...shared, endpoint, missionType: 'rally' }),
  };

  it.each([
    ['upload', 'sending MissionCount failed: port closed'],
    ['download', 'sending MissionRequestList failed: port closed'],
    ['command', 'sending MAV_CMD 400 failed: port closed'],
    ['clear', 'sending MISSION_CLEAR_ALL failed: port closed'],
  ] as const)(
    '%s ends as link-down when the link refuses to send, and lets go',
    async (name, reason) => {
      const endpoint = refusingEndpoint();
      const exchange = exchanges[name](endpoint);
      const outcome = await exchange.run();
      expect(outcome).toEqual({ ok: false, kind: 'link-down', reason });
      expect(exchange.state).toBe('done');
      expect(endpoint.listeners).toBe(0);
    },
  );

  it.each(['upload', 'download', 'command'] as const)(
    '%s with an aborted signal ends as cancelled without sending',
    async (name) => {
      const { gcs } = virtualVehicle();
      const outcome = await exchanges[name](gcs, AbortSignal.abort()).run();
      expect(outcome).toMatchObject({ ok: false, kind: 'cancelled' });
      expect(gcs.sent).toEqual([]);
    },
  );

  it('refuses a second run', async () => {
    const { clock, gcs } = virtualVehicle();
    const upload = new MissionUpload({
      endpoint: gcs,
      clock,
      target: VEHICLE,
      missionType: 'mission',
      items: sampleMission(2),
    });
    expect((await clock.run(upload.run())).ok).toBe(true);
    expect(() => upload.run()).toThrow('MissionUpload.run called in state done, expected idle');
  });

  it('a download aborted while receiving items tells the vehicle OPERATION_CANCELLED', async () => {
    const v = virtualVehicle({ latencyMs: 10 });
    v.server.preload('mission', sampleMission(30));
    const controller = new AbortController();
    const outcome = await downloadFrom(v, {
      signal: controller.signal,
      onProgress: (p) => {
        // From the clock, not from inside the frame handler: the user's abort, while item 5 is awaited.
        if (p.received === 5) v.clock.setTimeout(() => controller.abort(), 0);
      },
    });
    expect(outcome).toEqual({ ok: false, kind: 'cancelled', reason: 'download cancelled' });
    expect(v.gcs.sent.at(-1)).toBe('MISSION_ACK');
    expect(v.gcs.sentMessages.at(-1)).toMatchObject({
      type: common.MavMissionResult.OPERATION_CANCELLED,
    });
  });
});
