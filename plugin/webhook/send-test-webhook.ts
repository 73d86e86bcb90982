import { httpPost, RefusedTargetError, type HttpAnswer } from './http-post.js';
import { allowListOf } from './webhook-target-policy.js';
import { signWebhook } from './webhook-signature.js';

export type WebhookOutcome =
  | { kind: 'accepted'; status: number }
  /** Worth another try: 5xx, 408, 429, a timeout or a network error. */
  | { kind: 'retryable'; status?: number; message: string }
  /** The application refused the test (another 4xx, or a 3xx we do not follow), or the target may not be reached. */
  | { kind: 'rejected'; status?: number; message: string };

export interface TestWebhook {
  url: string;
  secret: string;
  headers?: Record<string, string>;
  /** Sent as `webhook-id`: the test id, so a retried delivery is recognisably the same message. */
  webhookId: string;
  body: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /** `EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS`: what may be reached besides public addresses (see webhook-target-policy). */
  allowedHosts?: string;
}

/**
 * What an answer's status means, in our words. The answer's body is never kept: the target may be a service the
 * project's owner should not read (SSRF read-back), and its text may echo secrets.
 */
function reasonFor(status: number): string {
  if (status >= 300 && status < 400) return 'a redirect, which webhooks do not follow';
  if (status === 408) return 'the application timed out';
  if (status === 429) return 'the application is rate-limiting';
  if (status >= 500) return 'the application failed';
  if (status === 401 || status === 403) return 'the application did not accept the signature or credentials';
  if (status === 404 || status === 405) return 'no webhook route at this URL';
  if (status >= 400) return 'the application refused the test';
  return 'not a success status';
}

/** POSTs one signed test webhook (Standard Webhooks) and classifies the answer. Never throws. */
export async function sendTestWebhook(webhook: TestWebhook): Promise<WebhookOutcome> {
  // A delivery told to stop sends nothing more: an already-aborted signal never fires the listener below.
  if (webhook.signal?.aborted) return { kind: 'retryable', message: 'not sent: the delivery was stopped' };
  const payload = JSON.stringify(webhook.body);
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = signWebhook(webhook.secret, webhook.webhookId, timestamp, payload);
  if (!signature) return { kind: 'rejected', message: 'the project webhook secret is not a valid whsec_ secret' };
  let allowList;
  try {
    allowList = allowListOf(webhook.allowedHosts);
  } catch (error) {
    return { kind: 'rejected', message: `EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS: ${(error as Error).message}` };
  }
  let answer: HttpAnswer;
  try {
    const headers = {
      ...webhook.headers,
      'content-type': 'application/json',
      'user-agent': 'experiments-plugin/0.1',
      'webhook-id': webhook.webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    };
    answer = await httpPost(webhook.url, headers, payload, allowList, { timeoutMs: webhook.timeoutMs, signal: webhook.signal });
  } catch (error) {
    if (error instanceof RefusedTargetError) return { kind: 'rejected', message: error.message };
    // Stopped counts as a timeout here: the lane records nothing for a delivery that was stopped.
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const reason = error instanceof Error ? `: ${error.message}` : '';
    return { kind: 'retryable', message: timedOut ? `no answer within ${webhook.timeoutMs} ms` : `could not reach ${webhook.url}${reason}` };
  }
  const status = answer.status;
  if (status >= 200 && status < 300) return { kind: 'accepted', status };
  const message = `HTTP ${status}: ${reasonFor(status)}`;
  if (status >= 500 || status === 408 || status === 429) return { kind: 'retryable', status, message };
  return { kind: 'rejected', status, message };
}
