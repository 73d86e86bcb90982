import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { refusalFor, refusalForName, type WebhookAllowList, type WebhookTarget } from './webhook-target-policy.js';

// Connections are kept alive: a run sends thousands of webhooks to one application.
const agents: Record<string, http.Agent> = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};
// The answer's body is read and dropped (never stored or shown); reading stops after this much.
const maxAnswerBytes = 4_096;

export interface HttpAnswer {
  status: number;
}

/** The target is one webhooks may not reach (SSRF guard); the message says why, in our words. */
export class RefusedTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedTargetError';
  }
}

/**
 * A DNS lookup that only hands out addresses the policy allows: the connection is made to an address checked here,
 * not to whatever the name resolves to a moment later (DNS rebinding).
 */
function guardedLookup(list: WebhookAllowList, target: WebhookTarget): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refusals = found.map((entry) => refusalFor(list, target, entry.address));
      const allowed = found.filter((_, i) => refusals[i] === null);
      if (allowed.length === 0) {
        const reason = refusals.find((r) => r !== null) ?? `refused: ${hostname} resolves to no address`;
        return callback(new RefusedTargetError(reason), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** What a request to one URL under one allow-list needs, worked out once: the URL parsed, the name checked. */
interface PreparedTarget {
  client: typeof http | typeof https;
  target: WebhookTarget;
  /** Refused by the name (or the IP literal) alone, before any connection. */
  early: string | null;
  /** `http.request` options without the URL parsed again (what Node's `urlToHttpOptions` makes of it). */
  options: http.RequestOptions;
  /** The policy's answer for each address a socket of this target was connected to. */
  peers: Map<string, string | null>;
}

// Per allow-list object (parsed once per setting, see allowListOf), per URL. A run sends to one URL; bounded anyway.
const preparedTargets = new WeakMap<WebhookAllowList, Map<string, PreparedTarget>>();
const maxPreparedPerList = 1_000;

function prepare(url: string, allowList: WebhookAllowList): PreparedTarget {
  let byUrl = preparedTargets.get(allowList);
  if (!byUrl) preparedTargets.set(allowList, (byUrl = new Map()));
  const known = byUrl.get(url);
  if (known) return known;
  const parsed = new URL(url);
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const target: WebhookTarget = { hostname, port: Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80) };
  const options: http.RequestOptions = {
    protocol: parsed.protocol,
    hostname,
    path: `${parsed.pathname}${parsed.search}`,
    method: 'POST',
    agent: agents[parsed.protocol],
    lookup: guardedLookup(allowList, target),
  };
  if (parsed.port !== '') options.port = Number(parsed.port);
  if (parsed.username || parsed.password) options.auth = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  const prepared: PreparedTarget = {
    client: parsed.protocol === 'https:' ? https : http,
    target,
    early: refusalForName(allowList, target) ?? (isIP(hostname) ? refusalFor(allowList, target, hostname) : null),
    options,
    peers: new Map(),
  };
  if (byUrl.size >= maxPreparedPerList) byUrl.clear();
  byUrl.set(url, prepared);
  return prepared;
}

/** The policy's answer for the address a socket is connected to (the same for every request to that address). */
function peerRefusal(prepared: PreparedTarget, allowList: WebhookAllowList, peer: string | undefined): string | null {
  if (!peer) return 'refused: the connection has no peer address';
  let refusal = prepared.peers.get(peer);
  if (refusal === undefined) {
    refusal = refusalFor(allowList, prepared.target, peer);
    if (prepared.peers.size >= maxPreparedPerList) prepared.peers.clear();
    prepared.peers.set(peer, refusal);
  }
  return refusal;
}

/**
 * POSTs `body` to an http(s) URL without following redirects, to addresses `allowList` permits only. Node's own
 * client rather than fetch: in the delivery profile, fetch and its web streams were about a third of the worker's
 * CPU per test. The address is checked three times: the name (metadata services), each address DNS gives
 * (custom lookup), and the address the socket is connected to, on every request (a kept-alive socket too) before
 * anything is written. The policy's answers are pure, so they are worked out once per URL and address. Rejects
 * with `RefusedTargetError`, a network error, an answer cut off, a `TimeoutError` when no answer ended within
 * `timeoutMs`, or an `AbortError` when `signal` aborts. The timer and the abort destroy the request themselves: an
 * AbortController and Node's `signal` option per request were about 5% of the delivery's CPU.
 */
export function httpPost(
  url: string,
  headers: Record<string, string>,
  body: string,
  allowList: WebhookAllowList,
  { timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal },
): Promise<HttpAnswer> {
  return new Promise((outerResolve, outerReject) => {
    const prepared = prepare(url, allowList);
    if (prepared.early) return outerReject(new RefusedTargetError(prepared.early));
    if (signal?.aborted) return outerReject(new DOMException('the delivery was stopped', 'AbortError'));
    const options = { ...prepared.options, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } };
    const request = prepared.client.request(options, (response) => {
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxAnswerBytes) response.destroy();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      response.on('error', reject);
      // After 'end' this changes nothing; without it, a connection dropped mid-answer would leave us waiting. A
      // long answer cut off above has its status already: that is all we keep.
      response.on('close', () => (size > maxAnswerBytes ? resolve({ status: response.statusCode ?? 0 }) : reject(new Error('the connection closed before the answer ended'))));
    });
    request.on('error', reject);
    const stop = () => request.destroy(new DOMException('the delivery was stopped', 'AbortError'));
    signal?.addEventListener('abort', stop, { once: true });
    const timer = setTimeout(() => request.destroy(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    function settled() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
    function resolve(answer: HttpAnswer) {
      settled();
      outerResolve(answer);
    }
    function reject(error: unknown) {
      settled();
      outerReject(error);
    }
    // Nothing is written until the socket's peer is known and allowed.
    request.on('socket', (socket: Socket) => {
      const send = () => {
        const refusal = peerRefusal(prepared, allowList, socket.remoteAddress);
        if (refusal) return request.destroy(new RefusedTargetError(refusal));
        request.end(body);
      };
      if (socket.connecting) socket.once('connect', send);
      else send();
    });
  });
}
