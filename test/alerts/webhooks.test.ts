import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  nextDeliveryStep,
  sendWebhook,
  signWebhook,
  verifyWebhook,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_MS,
} from '../../src/services/alerts/index';

describe('Standard Webhooks signature', () => {
  it('matches the reference test vector of the specification', () => {
    const h = signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(h['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies, and rejects a changed body, a wrong secret and a stale timestamp', () => {
    const secret = generateWebhookSecret();
    const h = signWebhook(secret, 'msg_1', 1_700_000_000, '{"a":1}');
    expect(verifyWebhook(secret, h, '{"a":1}', 1_700_000_100)).toEqual({ ok: true });
    expect(verifyWebhook(secret, h, '{"a":2}', 1_700_000_100)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook(generateWebhookSecret(), h, '{"a":1}', 1_700_000_100)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook(secret, h, '{"a":1}', 1_700_000_000 + 301)).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    expect(
      verifyWebhook(
        secret,
        { ...h, 'webhook-signature': `v1,bad ${h['webhook-signature']}` },
        '{"a":1}',
        1_700_000_000,
      ),
    ).toEqual({ ok: true });
  });
});

describe('nextDeliveryStep', () => {
  const mid = () => 0.5;
  it('retries with growing delays, then dead-letters', () => {
    const delays: number[] = [];
    for (let attempt = 1; attempt < WEBHOOK_MAX_ATTEMPTS; attempt++) {
      const s = nextDeliveryStep(attempt, { kind: 'response', status: 500 }, mid);
      if (s.step !== 'retry') throw new Error(`attempt ${attempt}: ${s.step}`);
      delays.push(s.delayMs);
    }
    expect(delays).toEqual([...WEBHOOK_RETRY_DELAYS_MS]);
    expect(nextDeliveryStep(WEBHOOK_MAX_ATTEMPTS, { kind: 'timeout' }, mid)).toEqual({
      step: 'dead_letter',
      reason: `timed out after ${WEBHOOK_MAX_ATTEMPTS} attempts`,
    });
  });

  it('keeps jitter within ±10 % and honours Retry-After', () => {
    expect(
      nextDeliveryStep(2, { kind: 'network_error', message: 'ECONNREFUSED' }, () => 0),
    ).toMatchObject({ delayMs: 270_000 });
    expect(
      nextDeliveryStep(2, { kind: 'network_error', message: 'ECONNREFUSED' }, () => 1),
    ).toMatchObject({ delayMs: 330_000 });
    expect(
      nextDeliveryStep(1, { kind: 'response', status: 429, retryAfterS: 60 }, mid),
    ).toMatchObject({ delayMs: 60_000 });
  });

  it('stops at once on 2xx and disables the endpoint on 410', () => {
    expect(nextDeliveryStep(1, { kind: 'response', status: 204 })).toEqual({ step: 'delivered' });
    expect(nextDeliveryStep(3, { kind: 'response', status: 410 })).toMatchObject({
      step: 'disable_endpoint',
    });
  });
});

describe('sendWebhook over loopback', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function receiver(
    handler: (body: string, headers: Record<string, string | string[] | undefined>) => number,
  ): Promise<string> {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.statusCode = handler(body, req.headers);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  it('delivers a body the receiver can verify', async () => {
    const secret = generateWebhookSecret();
    let verified: unknown;
    const url = await receiver((body, headers) => {
      verified = verifyWebhook(
        secret,
        headers as Record<string, string>,
        body,
        Math.floor(Date.now() / 1000),
      );
      return 200;
    });
    const r = await sendWebhook(url, secret, {
      id: 'msg_1',
      type: 'alert.created',
      timestampMs: Date.now(),
      data: { id: 'a1' },
    });
    expect(r).toEqual({ kind: 'response', status: 200, retryAfterS: undefined });
    expect(verified).toEqual({ ok: true });
  });

  it('reports 410, a refused connection and a timeout as results', async () => {
    const url = await receiver(() => 410);
    expect(
      await sendWebhook(url, generateWebhookSecret(), {
        id: 'm',
        type: 't',
        timestampMs: Date.now(),
        data: {},
      }),
    ).toMatchObject({ status: 410 });
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const refused = await sendWebhook(url, generateWebhookSecret(), {
      id: 'm',
      type: 't',
      timestampMs: Date.now(),
      data: {},
    });
    expect(refused.kind).toBe('network_error');
    server = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const slow = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    expect(
      await sendWebhook(
        slow,
        generateWebhookSecret(),
        { id: 'm', type: 't', timestampMs: Date.now(), data: {} },
        { timeoutMs: 100 },
      ),
    ).toEqual({ kind: 'timeout' });
    server.closeAllConnections();
  });
});
