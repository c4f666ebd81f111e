import type { TestApp } from '../../support/test-app';

export interface SseEvent {
  event: string;
  id: string | null;
  data: Record<string, unknown>;
}

/**
 * Opens `/v1/fleet/stream` through `app.request` and parses Server-Sent Events as they arrive.
 * `until` waits (real time) for a predicate over the events seen so far.
 */
export async function openFleetStream(t: TestApp, key: string) {
  const res = await t.app.request('/v1/fleet/stream', {
    headers: { authorization: `Bearer ${key}` },
  });
  if (res.status !== 200 || !res.body) throw new Error(`stream answered ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream')) throw new Error(`stream answered ${type}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: SseEvent[] = [];
  const pump = async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const field = (name: string) =>
          block
            .split('\n')
            .find((l) => l.startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim() ?? null;
        const data = field('data');
        if (data)
          events.push({
            event: field('event') ?? 'message',
            id: field('id'),
            data: JSON.parse(data) as Record<string, unknown>,
          });
        cut = buffer.indexOf('\n\n');
      }
    }
  };
  const pumping = pump().catch((err: unknown) => {
    if (!(err instanceof Error && /cancel|abort/i.test(err.message))) throw err;
  });
  return {
    events,
    async until(
      predicate: (e: SseEvent[]) => boolean,
      timeoutMs = 2000,
      what = 'the awaited stream events',
    ) {
      const start = Date.now();
      while (!predicate(events)) {
        if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await reader.cancel();
      await pumping;
    },
  };
}
