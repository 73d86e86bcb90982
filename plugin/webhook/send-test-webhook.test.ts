import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sendTestWebhook } from './send-test-webhook.js';

describe('sendTestWebhook', () => {
  it('sends nothing for a delivery that was already stopped', async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests += 1;
      response.statusCode = 202;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const webhook = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
      secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
      webhookId: 'a-test-id',
      body: { testId: 'a-test-id' },
      timeoutMs: 2_000,
    };
    try {
      expect(await sendTestWebhook(webhook)).toEqual({ kind: 'accepted', status: 202 });
      // A lane that picks up its next test after the delivery stopped (the abort came first) must not send it.
      expect(await sendTestWebhook({ ...webhook, signal: AbortSignal.abort() })).toMatchObject({ kind: 'retryable' });
      expect(requests).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
