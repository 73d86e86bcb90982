/**
 * Whether a state-changing request came from a page of this site: `Sec-Fetch-Site` decides when the browser sends
 * it, else `Origin` must name the host the request came to. `undefined` when the request carries neither (a script
 * or server, not a browser).
 */
export function isSameOriginRequest(headers: { get(name: string): string | null | undefined }, requestUrl: string): boolean | undefined {
  const site = headers.get('sec-fetch-site') ?? undefined;
  const origin = headers.get('origin') ?? undefined;
  if (site === undefined && origin === undefined) return undefined;
  if (site !== undefined) return site === 'same-origin';
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? new URL(requestUrl).host;
  return originHost(origin!) === host;
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
