import type { MissionItem } from '../../../firmware-bridge/index';

/** A patrol-like mission: takeoff, `n` waypoints on a line near Yuhang, RTL. */
export function sampleMission(n: number, shift = 0): MissionItem[] {
  const items: MissionItem[] = [
    {
      command: 22,
      frame: 3,
      param1: 0,
      param2: 0,
      param3: 0,
      param4: 0,
      position: [119.9 + shift, 30.3],
      altM: 30,
      autocontinue: true,
    },
  ];
  for (let i = 0; i < n; i++) {
    items.push({
      command: 16,
      frame: 3,
      param1: i % 3,
      param2: 2,
      param3: 0,
      param4: Number.NaN,
      position: [119.9 + shift + i * 0.0004, 30.3 + (i % 2) * 0.0003],
      altM: 40 + (i % 5),
      autocontinue: true,
    });
  }
  items.push({
    command: 20,
    frame: 2,
    param1: 0,
    param2: 0,
    param3: 0,
    param4: 0,
    position: null,
    altM: 0,
    autocontinue: true,
  });
  return items;
}

export function sampleFence(): MissionItem[] {
  const ring: [number, number][] = [
    [119.89, 30.29],
    [119.95, 30.29],
    [119.95, 30.32],
    [119.89, 30.32],
  ];
  return ring.map((p) => ({
    command: 5001,
    frame: 0,
    param1: ring.length,
    param2: 0,
    param3: 0,
    param4: 0,
    position: p,
    altM: 0,
    autocontinue: true,
  }));
}

export function sampleRally(): MissionItem[] {
  return [
    {
      command: 5100,
      frame: 3,
      param1: 0,
      param2: 0,
      param3: 0,
      param4: 0,
      position: [119.91, 30.305],
      altM: 25,
      autocontinue: true,
    },
  ];
}
