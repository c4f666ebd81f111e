/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): headers `webhook-id`,
 * `webhook-timestamp` (seconds) and `webhook-signature` = `v1,` + base64(HMAC-SHA256(key,
 * `${id}.${timestamp}.${body}`)), with the key the base64 part of a `whsec_…` secret.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** Receivers reject timestamps further than this from their clock (replay protection). */
export const WEBHOOK_TOLERANCE_S = 5 * 60;
/**
 * After a secret rotation, deliveries are signed with the new and the replaced secret for this
 * long by default (the receiver switches at its own pace), then with the new one only.
 */
export const WEBHOOK_SECRET_OVERLAP_S = 24 * 60 * 60;
/** The longest overlap a rotation may ask for (0 = the replaced secret stops signing at once). */
export const WEBHOOK_SECRET_OVERLAP_MAX_S = 7 * 24 * 60 * 60;

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * A new random secret (24 bytes) in the `whsec_` form.
 *
 * @example
 * generateWebhookSecret(); // 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
 */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  const b64 = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? secret.slice(WEBHOOK_SECRET_PREFIX.length)
    : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0) throw new RangeError('webhook secret is empty; expected whsec_<base64>');
  return key;
}

/**
 * Signs a payload; returns the three headers to send with it. Given several secrets (a rotation's
 * overlap: the new one first, then the one it replaces), `webhook-signature` carries one
 * space-separated `v1,<sig>` entry per secret, in that order, and a receiver that holds any one
 * of them verifies.
 *
 * @example
 * signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')['webhook-signature'];
 * // 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
 * signWebhook([newSecret, oldSecret], id, timestampS, body)['webhook-signature'];
 * // 'v1,<sig under newSecret> v1,<sig under oldSecret>'
 */
export function signWebhook(
  secrets: string | readonly string[],
  id: string,
  timestampS: number,
  body: string,
): WebhookHeaders {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new RangeError('no webhook secret to sign with');
  const signed = `${id}.${timestampS}.${body}`;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': list
      .map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(signed).digest('base64')}`)
      .join(' '),
  };
}

export type WebhookVerification =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'timestamp_out_of_tolerance' | 'bad_signature' };

/**
 * Verifies a received webhook (any of the space-separated `v1,` signatures may match).
 *
 * @example
 * verifyWebhook(secret, headers, body, Math.floor(Date.now() / 1000)); // { ok: true }
 */
export function verifyWebhook(
  secret: string,
  headers: Partial<Record<keyof WebhookHeaders, string | undefined>>,
  body: string,
  nowS: number,
  toleranceS: number = WEBHOOK_TOLERANCE_S,
): WebhookVerification {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (!id || !ts || !sigs) return { ok: false, reason: 'missing_headers' };
  const timestampS = Number(ts);
  if (!Number.isInteger(timestampS) || Math.abs(nowS - timestampS) > toleranceS) {
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  }
  const expected = Buffer.from(
    signWebhook(secret, id, timestampS, body)['webhook-signature'].slice(3),
    'base64',
  );
  for (const part of sigs.split(' ')) {
    const [version, mac] = part.split(',', 2);
    if (version !== 'v1' || mac === undefined) continue;
    const given = Buffer.from(mac, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'bad_signature' };
}
