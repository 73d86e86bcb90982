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

/**
 * POSTs `body` to an http(s) URL without following redirects, to addresses `allowList` permits only. Node's own
 * client rather than fetch: in the delivery profile, fetch and its web streams were about a third of the worker's
 * CPU per test. The address is checked three times: the name (metadata services), each address DNS gives
 * (custom lookup), and the address the socket is connected to, on every request (a kept-alive socket too) before
 * anything is written. Rejects with `RefusedTargetError`, a network error, an answer cut off, or when `signal`
 * aborts (an `AbortError`).
 */
export function httpPost(url: string, headers: Record<string, string>, body: string, signal: AbortSignal, allowList: WebhookAllowList): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    const target: WebhookTarget = { hostname, port: Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80) };
    const early = refusalForName(allowList, target) ?? (isIP(hostname) ? refusalFor(allowList, target, hostname) : null);
    if (early) return reject(new RefusedTargetError(early));
    const client = parsed.protocol === 'https:' ? https : http;
    const options = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: agents[parsed.protocol],
      signal,
      lookup: guardedLookup(allowList, target),
    };
    const request = client.request(parsed, options, (response) => {
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
    // Nothing is written until the socket's peer is known and allowed.
    request.on('socket', (socket: Socket) => {
      const send = () => {
        const peer = socket.remoteAddress;
        const refusal = peer ? refusalFor(allowList, target, peer) : 'refused: the connection has no peer address';
        if (refusal) return request.destroy(new RefusedTargetError(refusal));
        request.end(body);
      };
      if (socket.connecting) socket.once('connect', send);
      else send();
    });
  });
}
