import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createDemoApp, type DemoAppOptions } from './demo-app.js';

/** Settings of a listening demo application. */
export interface DemoServerOptions extends DemoAppOptions {
  /** 0 (the default) lets the OS choose. */
  port?: number;
  /** Default `127.0.0.1`. */
  hostname?: string;
}

/** A demo application listening over HTTP. */
export interface DemoServer {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  /** The address to configure as the project's webhook: `<url>/webhook`. */
  webhookUrl: string;
  /** Resolves when every accepted webhook has been processed and its trace sent. */
  whenIdle(): Promise<void>;
  /** Stops listening, finishes accepted work and sends the remaining traces. */
  close(): Promise<void>;
}

/**
 * Starts the demo application on a real port.
 *
 * @example
 * const demo = await startDemoApp({ port: 0, secret, hostUrl: 'http://127.0.0.1:3000', apiKey });
 * await fetch(`${demo.url}/health`);
 */
export async function startDemoApp(options: DemoServerOptions): Promise<DemoServer> {
  const demo = createDemoApp(options);
  const hostname = options.hostname ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
    const server = serve({ fetch: demo.app.fetch, port: options.port ?? 0, hostname }, (info: AddressInfo) =>
      resolve({ server, port: info.port }),
    ) as Server;
    server.once('error', reject);
  }).catch(async (error: unknown) => {
    await demo.shutdown();
    throw error;
  });
  const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;

  return {
    url,
    webhookUrl: `${url}/webhook`,
    whenIdle: () => demo.whenIdle(),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await demo.shutdown();
      await closed;
    },
  };
}
