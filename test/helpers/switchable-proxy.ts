import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'up' | 'down' | 'errors';

/**
 * An HTTP proxy in front of a server that can be switched off (connections are dropped, as by a server that is
 * gone) or made to answer 503, and back on: the server as one client sees it, while others reach it directly.
 */
export async function startSwitchableProxy(target: string, options: { onRequest?: (url: string) => void } = {}) {
  let mode: ProxyMode = 'up';
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests += 1;
    options.onRequest?.(request.url ?? '');
    if (mode === 'down') return void request.socket.destroy();
    if (mode === 'errors') {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    void forward(request).then(
      async (answer) => {
        const body = Buffer.from(await answer.arrayBuffer());
        const headers: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (!['content-encoding', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = value;
        });
        response.writeHead(answer.status, headers).end(body);
      },
      () => response.writeHead(502).end(),
    );
  });
  async function forward(request: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host'),
    );
    return fetch(`${target}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set(next: ProxyMode) {
      mode = next;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
