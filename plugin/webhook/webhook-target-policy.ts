import ipaddr from 'ipaddr.js';

/**
 * Which addresses a test webhook may reach. The webhook URL is set by whoever holds a project's key, and the
 * worker runs inside the operator's network: without this, a project could make the worker POST to loopback,
 * private networks or a cloud metadata service (SSRF). Only public unicast addresses are reached, unless the
 * operator allows more with `EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS` (comma-separated `host[:port]` or CIDR).
 */
export interface WebhookAllowList {
  hosts: Array<{ host: string; port: number | null }>;
  ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

// Names of cloud metadata services that may not resolve from here but must never be asked.
const metadataNames = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

const rangeNames: Record<string, string> = {
  unspecified: 'the unspecified address',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local, where cloud metadata services live',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'a private network',
  uniqueLocal: 'a unique-local network',
  reserved: 'reserved',
};

/** `[v6]`, `[v6]:port`, `host`, `host:port`: the bare host and the port, if any. */
function splitHostPort(entry: string): { host: string; port: number | null } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : null };
  if (ipaddr.IPv6.isValid(entry)) return { host: entry, port: null };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  if (withPort) return { host: withPort[1]!, port: Number(withPort[2]) };
  return { host: entry, port: null };
}

const normalHost = (host: string) => (ipaddr.isValid(host) ? ipaddr.process(host).toString() : host.toLowerCase().replace(/\.$/, ''));

/** Parses the allow-list setting; throws naming the entry that is neither `host[:port]` nor CIDR. */
export function parseAllowList(text: string | undefined): WebhookAllowList {
  const list: WebhookAllowList = { hosts: [], ranges: [] };
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw new Error(`"${entry}" is not a CIDR range (like 10.0.0.0/8 or fd00::/8)`);
      list.ranges.push(ipaddr.parseCIDR(entry));
      continue;
    }
    const { host, port } = splitHostPort(entry);
    const validName = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(host);
    if (!(ipaddr.isValid(host) || validName) || (port !== null && (port < 1 || port > 65_535)))
      throw new Error(`"${entry}" is not a host[:port] (like app.internal:8080 or 10.0.0.5)`);
    list.hosts.push({ host: normalHost(host), port });
  }
  return list;
}

const remembered = new Map<string, WebhookAllowList>();
/** The parsed allow-list of a setting's text, parsed once per distinct text. */
export function allowListOf(text: string | undefined): WebhookAllowList {
  const key = text ?? '';
  let list = remembered.get(key);
  if (!list) remembered.set(key, (list = parseAllowList(key)));
  return list;
}

export interface WebhookTarget {
  /** The URL's host name (or IP literal, without brackets) and its effective port. */
  hostname: string;
  port: number;
}

const hostAllowed = (list: WebhookAllowList, host: string, port: number) =>
  list.hosts.some((entry) => entry.host === host && (entry.port === null || entry.port === port));

/** Whether the URL's host name itself is allowed (then any address it resolves to may be reached). */
export function nameAllowed(list: WebhookAllowList, target: WebhookTarget): boolean {
  return hostAllowed(list, normalHost(target.hostname), target.port);
}

/**
 * Why a webhook to `target` may not be sent to `address` (the IP about to be, or just, connected to), or null when
 * it may. Checked on the address itself, so a name that resolves somewhere else the second time (DNS rebinding)
 * gains nothing.
 */
export function refusalFor(list: WebhookAllowList, target: WebhookTarget, address: string): string | null {
  if (nameAllowed(list, target)) return null;
  if (!ipaddr.isValid(address)) return `refused: ${target.hostname} resolved to "${address}", which is not an IP address`;
  const ip = ipaddr.process(address);
  if (hostAllowed(list, ip.toString(), target.port)) return null;
  if (list.ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits))) return null;
  const range = ip.range();
  if (range === 'unicast') return null;
  const what = rangeNames[range] ?? `a special-purpose range (${range})`;
  const via = normalHost(target.hostname) === ip.toString() ? '' : ` (${target.hostname} resolves there)`;
  return `refused: ${ip.toString()} is ${what}${via}; webhooks reach only public addresses unless EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS allows it`;
}

/** A refusal decided by the name alone, before any lookup: cloud metadata names and `localhost`. */
export function refusalForName(list: WebhookAllowList, target: WebhookTarget): string | null {
  if (nameAllowed(list, target)) return null;
  const name = normalHost(target.hostname);
  if (metadataNames.has(name)) return `refused: ${target.hostname} is a cloud metadata service`;
  if (name === 'localhost' || name.endsWith('.localhost'))
    return `refused: ${target.hostname} is loopback; webhooks reach only public addresses unless EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS allows it`;
  return null;
}
