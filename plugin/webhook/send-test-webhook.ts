import { Webhook } from 'standardwebhooks';
import { httpPost, type HttpAnswer } from './http-post.js';

export type WebhookOutcome =
  | { kind: 'accepted'; status: number }
  /** Worth another try: 5xx, 408, 429, a timeout or a network error. */
  | { kind: 'retryable'; status?: number; message: string }
  /** The application refused the test (another 4xx, or a 3xx we do not follow). */
  | { kind: 'rejected'; status: number; message: string };

export interface TestWebhook {
  url: string;
  secret: string;
  headers?: Record<string, string>;
  /** Sent as `webhook-id`: the test id, so a retried delivery is recognisably the same message. */
  webhookId: string;
  body: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
}

const excerptLength = 200;

/** POSTs one signed test webhook (Standard Webhooks) and classifies the answer. Never throws. */
export async function sendTestWebhook(webhook: TestWebhook): Promise<WebhookOutcome> {
  // A delivery told to stop sends nothing more: an already-aborted signal never fires the listener below.
  if (webhook.signal?.aborted) return { kind: 'retryable', message: 'not sent: the delivery was stopped' };
  const payload = JSON.stringify(webhook.body);
  const timestamp = new Date();
  let signature: string;
  try {
    signature = new Webhook(webhook.secret).sign(webhook.webhookId, timestamp, payload);
  } catch {
    return { kind: 'rejected', status: 0, message: 'the project webhook secret is not a valid whsec_ secret' };
  }
  // One controller per request, detached from the caller's signal afterwards: long runs send thousands.
  const controller = new AbortController();
  const onAbort = () => controller.abort(webhook.signal?.reason);
  webhook.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${webhook.timeoutMs} ms`, 'TimeoutError')), webhook.timeoutMs);
  let answer: HttpAnswer;
  try {
    const headers = {
      ...webhook.headers,
      'content-type': 'application/json',
      'user-agent': 'experiments-plugin/0.1',
      'webhook-id': webhook.webhookId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    };
    answer = await httpPost(webhook.url, headers, payload, controller.signal);
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'AbortError';
    const reason = error instanceof Error ? `: ${error.message}` : '';
    return { kind: 'retryable', message: timedOut ? `no answer within ${webhook.timeoutMs} ms` : `could not reach ${webhook.url}${reason}` };
  } finally {
    clearTimeout(timer);
    webhook.signal?.removeEventListener('abort', onAbort);
  }
  const excerpt = answer.text.replace(/\s+/g, ' ').trim().slice(0, excerptLength);
  const status = answer.status;
  if (status >= 200 && status < 300) return { kind: 'accepted', status };
  const message = `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
  if (status >= 500 || status === 408 || status === 429) return { kind: 'retryable', status, message };
  return { kind: 'rejected', status, message };
}
