import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { sendTestWebhook } from './send-test-webhook.js';

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const servers: Array<ReturnType<typeof createServer>> = [];

async function receiver(handle: (request: IncomingMessage, response: ServerResponse, body: string) => void) {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => handle(request, response, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
}

const webhookTo = (url: string, timeoutMs = 2_000) => ({ url, secret, webhookId: 'a-test-id', body: { testId: 'a-test-id' }, timeoutMs });

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('sendTestWebhook', () => {
  it('sends a body the receiver can verify with the secret, and counts a 2xx as accepted', async () => {
    let verified: unknown;
    const url = await receiver((request, response, body) => {
      verified = new Webhook(secret).verify(body, request.headers as Record<string, string>);
      response.statusCode = 202;
      response.end();
    });
    expect(await sendTestWebhook(webhookTo(url))).toEqual({ kind: 'accepted', status: 202 });
    expect(verified).toEqual({ testId: 'a-test-id' });
  });

  it('sends nothing for a delivery that was already stopped', async () => {
    let requests = 0;
    const url = await receiver((_request, response) => {
      requests += 1;
      response.statusCode = 202;
      response.end();
    });
    expect(await sendTestWebhook(webhookTo(url))).toEqual({ kind: 'accepted', status: 202 });
    // A lane that picks up its next test after the delivery stopped (the abort came first) must not send it.
    expect(await sendTestWebhook({ ...webhookTo(url), signal: AbortSignal.abort() })).toMatchObject({ kind: 'retryable' });
    expect(requests).toBe(1);
  });

  it('retries a 5xx and keeps a short excerpt of a long answer', async () => {
    const url = await receiver((_request, response) => {
      response.statusCode = 503;
      response.end(`busy ${'x'.repeat(1_000_000)}`);
    });
    const outcome = await sendTestWebhook(webhookTo(url));
    expect(outcome).toMatchObject({ kind: 'retryable', status: 503 });
    expect(outcome.kind === 'retryable' && outcome.message).toMatch(/^HTTP 503: busy x+$/);
    expect(outcome.kind === 'retryable' && outcome.message.length).toBeLessThanOrEqual(220);
  });

  it('does not follow a redirect: the application refused the test', async () => {
    const url = await receiver((_request, response) => {
      response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' });
      response.end();
    });
    expect(await sendTestWebhook(webhookTo(url))).toEqual({ kind: 'rejected', status: 302, message: 'HTTP 302' });
  });

  it('gives up on an application that does not answer in time', async () => {
    const url = await receiver(() => {});
    expect(await sendTestWebhook(webhookTo(url, 150))).toEqual({ kind: 'retryable', message: 'no answer within 150 ms' });
  });

  it('retries when nothing listens or the connection drops mid-answer', async () => {
    const closed = await receiver(() => {});
    const refusedUrl = closed;
    servers[0]!.close();
    expect(await sendTestWebhook(webhookTo(refusedUrl))).toMatchObject({ kind: 'retryable', message: expect.stringContaining(`could not reach ${refusedUrl}`) });
    const dropping = await receiver((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial');
      response.socket?.destroy();
    });
    expect(await sendTestWebhook(webhookTo(dropping))).toMatchObject({ kind: 'retryable', message: expect.stringContaining('could not reach') });
  });

  it('speaks TLS to an https address', async () => {
    // A plain-HTTP listener cannot complete a TLS handshake: the failure shows the request went out over TLS.
    const plain = (await receiver(() => {})).replace('http:', 'https:');
    // Node's plain http client would refuse the address instead ('Protocol "https:" not supported').
    expect(await sendTestWebhook(webhookTo(plain, 1_000))).toMatchObject({ kind: 'retryable', message: expect.stringMatching(/^could not reach https:\/\/.*(SSL|EPROTO)/s) });
  });
});
