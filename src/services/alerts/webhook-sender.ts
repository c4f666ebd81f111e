/**
 * One webhook delivery attempt over HTTP: POST the JSON body with Standard Webhooks headers,
 * bounded by a timeout; the answer becomes an {@link AttemptResult} for `nextDeliveryStep`.
 */
import { signWebhook } from './webhook-signature';
import { WEBHOOK_TIMEOUT_MS, type AttemptResult } from './webhook-retry';

export interface WebhookMessage {
  /** Stable across retries (receivers deduplicate on it), e.g. `msg_<uuid>`. */
  id: string;
  /** Event type, e.g. `alert.created`. */
  type: string;
  timestampMs: number;
  data: unknown;
}

/**
 * The body Standard Webhooks recommends: `{ type, timestamp, data }`.
 *
 * @example
 * webhookBody({ id: 'msg_1', type: 'alert.created', timestampMs: 0, data: { id: 'a1' } });
 * // '{"type":"alert.created","timestamp":"1970-01-01T00:00:00.000Z","data":{"id":"a1"}}'
 */
export function webhookBody(message: WebhookMessage): string {
  return JSON.stringify({
    type: message.type,
    timestamp: new Date(message.timestampMs).toISOString(),
    data: message.data,
  });
}

export interface SendOptions {
  timeoutMs?: number;
  fetchFn?: typeof fetch;
  /** Signing time in ms (defaults to the message time). */
  nowMs?: number;
}

/**
 * Sends one attempt, signed with every secret given (the current one first; during a rotation's
 * overlap also the one it replaced). Never throws for network trouble: it is reported as a result.
 *
 * @example
 * const result = await sendWebhook('https://agency.example.org/hooks', secret, message);
 * nextDeliveryStep(1, result);
 */
export async function sendWebhook(
  url: string,
  secrets: string | readonly string[],
  message: WebhookMessage,
  options: SendOptions = {},
): Promise<AttemptResult> {
  const body = webhookBody(message);
  const timestampS = Math.floor((options.nowMs ?? message.timestampMs) / 1000);
  const headers = {
    'content-type': 'application/json',
    ...signWebhook(secrets, message.id, timestampS, body),
  };
  const fetchFn = options.fetchFn ?? fetch;
  const signal = AbortSignal.timeout(options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
  try {
    const res = await fetchFn(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
    // drain the body so the connection can be reused
    await res.arrayBuffer();
    const retryAfter = Number(res.headers.get('retry-after'));
    return {
      kind: 'response',
      status: res.status,
      retryAfterS: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    };
  } catch (err) {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
      return { kind: 'timeout' };
    const cause =
      err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return {
      kind: 'network_error',
      message: `${err instanceof Error ? err.message : String(err)}${cause}`,
    };
  }
}
