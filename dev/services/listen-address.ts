/**
 * Where a local start listens and how it is reached: `HOST` (default 127.0.0.1, so nobody else on the network
 * reaches a demo with open defaults); the URL names the host as given, or `localhost` for a wildcard address.
 */
export function listenAddress(host: string, port: number): { hostname: string; baseUrl: string } {
  const wildcard = host === '0.0.0.0' || host === '::';
  const shown = wildcard ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return { hostname: host, baseUrl: `http://${shown}:${port}` };
}
