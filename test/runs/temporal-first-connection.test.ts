import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectHostDatabase } from '../../dev/host/host-database.js';
import { createHostCapabilities } from '../../dev/host/host-capabilities.js';
import { freePort } from '../../dev/services/free-port.js';
import { createExperimentsPlugin } from '../../plugin/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** Forwards TCP connections on `port` to `target` (host:port): Temporal appearing at an address that had none. */
async function forward(port: number, target: string): Promise<{ close(): Promise<void> }> {
  const [host, targetPort] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  const server = createServer((socket: Socket) => {
    const upstream = connect(targetPort, host);
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('close', () => sockets.delete(end));
    }
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('temporal_first');
});
afterAll(async () => {
  await database?.drop();
});

describe("the plugin's Temporal client", () => {
  it('connects on a later call when Temporal was unreachable at the first', async () => {
    const port = await freePort();
    const hostDb = connectHostDatabase({ url: database.url, maxConnections: 1 });
    const plugin = createExperimentsPlugin(createHostCapabilities(hostDb, { baseUrl: 'http://host.test' }), {
      databaseUrl: database.url,
      temporalAddress: `127.0.0.1:${port}`,
    });
    let server: { close(): Promise<void> } | undefined;
    try {
      // Nothing listens there yet: the SDK gives up after its connect timeout (10 s).
      await expect(plugin.temporalClient()).rejects.toThrow();
      server = await forward(port, inject('temporalAddress'));
      const client = await plugin.temporalClient();
      const info = await client.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
    } finally {
      await plugin.close();
      await hostDb.destroy();
      await server?.close();
    }
  }, 60_000);
});
