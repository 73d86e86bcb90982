import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * `EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS` for tests: their receivers and demo apps listen on loopback, which webhooks
 * reach only when the operator allows it.
 */
export const loopbackReceivers = '127.0.0.0/8,::1/128,localhost';

export interface Receiver {
  url: string;
  /** Every request received, in order. */
  received: Array<{ headers: Record<string, string>; body: any }>;
  close(): Promise<void>;
}

/**
 * A real HTTP webhook receiver for tests. `respond` decides each answer (status and body) from the
 * request's number and body; `forwardTo` passes the request on unchanged (a recording proxy).
 */
export async function startReceiver(options: {
  respond?: (request: { index: number; body: any; headers: Record<string, string> }) => Promise<{ status: number; body?: string } | 'hang'> | { status: number; body?: string } | 'hang';
  forwardTo?: string;
}): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const app = new Hono();
  app.post('*', async (c) => {
    const raw = await c.req.text();
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => (headers[key] = value));
    const body = raw ? JSON.parse(raw) : null;
    const index = received.push({ headers, body }) - 1;
    if (options.forwardTo) {
      const forwarded = await fetch(options.forwardTo, { method: 'POST', headers, body: raw });
      return new Response(await forwarded.text(), { status: forwarded.status });
    }
    const answer = (await options.respond?.({ index, body, headers })) ?? { status: 202 };
    if (answer === 'hang') return new Promise<Response>(() => {});
    return new Response(answer.body ?? '', { status: answer.status });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
