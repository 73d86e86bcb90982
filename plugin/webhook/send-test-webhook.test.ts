import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
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

// The receivers listen on loopback, which webhooks reach only when the operator allows it.
const loopbackAllowed = '127.0.0.1';
const webhookTo = (url: string, timeoutMs = 2_000) => ({ url, secret, webhookId: 'a-test-id', body: { testId: 'a-test-id' }, timeoutMs, allowedHosts: loopbackAllowed });

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

  it('retries a 5xx and records its status with a reason of our own, never the answer', async () => {
    const url = await receiver((_request, response) => {
      response.statusCode = 503;
      response.end(`busy ${'x'.repeat(1_000_000)}`);
    });
    const outcome = await sendTestWebhook(webhookTo(url));
    expect(outcome).toMatchObject({ kind: 'retryable', status: 503 });
    expect(outcome.kind === 'retryable' && outcome.message).toBe('HTTP 503: the application failed');
  });

  it('does not follow a redirect: the application refused the test', async () => {
    const url = await receiver((_request, response) => {
      response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' });
      response.end();
    });
    expect(await sendTestWebhook(webhookTo(url))).toEqual({ kind: 'rejected', status: 302, message: 'HTTP 302: a redirect, which webhooks do not follow' });
  });

  it('gives up on an application that does not answer in time', async () => {
    const url = await receiver(() => {});
    expect(await sendTestWebhook(webhookTo(url, 150))).toEqual({ kind: 'retryable', message: 'no answer within 150 ms' });
  });

  it('stops a request in flight when the delivery stops, and leaves no listener on the delivery\'s signal', async () => {
    let requests = 0;
    const url = await receiver((_request, response) => {
      requests += 1;
      if (requests === 1) {
        response.statusCode = 202;
        response.end();
      }
    });
    const stopping = new AbortController();
    expect(await sendTestWebhook({ ...webhookTo(url), signal: stopping.signal })).toEqual({ kind: 'accepted', status: 202 });
    expect(getEventListeners(stopping.signal, 'abort')).toHaveLength(0);
    // The second is never answered: stopping ends it long before its 5 s timeout.
    const started = Date.now();
    const pending = sendTestWebhook({ ...webhookTo(url, 5_000), signal: stopping.signal });
    while (requests < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    stopping.abort();
    expect(await pending).toMatchObject({ kind: 'retryable' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(getEventListeners(stopping.signal, 'abort')).toHaveLength(0);
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

  it('refuses loopback unless allowed, and allows it by address, by host and port, or by CIDR', async () => {
    let requests = 0;
    const url = await receiver((_request, response) => {
      requests += 1;
      response.statusCode = 204;
      response.end();
    });
    const port = new URL(url).port;
    const refused = await sendTestWebhook({ ...webhookTo(url), allowedHosts: '' });
    expect(refused).toEqual({ kind: 'rejected', message: expect.stringMatching(/^refused: 127\.0\.0\.1 is loopback/) });
    expect(await sendTestWebhook({ ...webhookTo(url), allowedHosts: '127.0.0.1:1' })).toMatchObject({ kind: 'rejected' });
    expect(requests).toBe(0);
    for (const allowedHosts of [`127.0.0.1:${port}`, '127.0.0.0/8', 'app.example, 127.0.0.1']) {
      expect(await sendTestWebhook({ ...webhookTo(url), allowedHosts }), allowedHosts).toEqual({ kind: 'accepted', status: 204 });
    }
    expect(await sendTestWebhook({ ...webhookTo(url.replace('127.0.0.1', 'localhost')), allowedHosts: `localhost:${port}` })).toEqual({ kind: 'accepted', status: 204 });
    expect(requests).toBe(4);
  });

  it('checks the address a name resolves to, not the name (a name pointing at loopback is refused)', async () => {
    let requests = 0;
    const url = await receiver((_request, response) => {
      requests += 1;
      response.end();
    });
    // The machine's own name is refused by no name rule; it resolves to a loopback or private address.
    const own = hostname();
    const outcome = await sendTestWebhook({ ...webhookTo(url.replace('127.0.0.1', own)), allowedHosts: 'app.example' });
    expect(outcome).toMatchObject({ kind: 'rejected', message: expect.stringMatching(new RegExp(`^refused: \\S+ is .*\\(${own} resolves there\\)`)) });
    expect(requests).toBe(0);
  });

  it('refuses a bad allow-list setting with a message naming it', async () => {
    const outcome = await sendTestWebhook({ ...webhookTo('https://app.example/'), allowedHosts: '10.0.0.0/99' });
    expect(outcome).toMatchObject({ kind: 'rejected', message: expect.stringContaining('EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS') });
  });
});
