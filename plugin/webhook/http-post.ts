import http from 'node:http';
import https from 'node:https';

// Connections are kept alive: a run sends thousands of webhooks to one application.
const agents: Record<string, http.Agent> = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};
// Only an excerpt of the answer is kept; an application answering with megabytes costs no more than this.
const maxAnswerBytes = 4_096;

export interface HttpAnswer {
  status: number;
  /** The start of the answer's body (at most 4 KB), as text. */
  text: string;
}

/**
 * POSTs `body` to an http(s) URL without following redirects. Node's own client rather than fetch: in the
 * delivery profile, fetch and its web streams were about a third of the worker's CPU per test. Rejects on a
 * network error, an answer cut off, or when `signal` aborts (an `AbortError`).
 */
export function httpPost(url: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const options = { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: agents[target.protocol], signal };
    const request = client.request(target, options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size >= maxAnswerBytes) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).subarray(0, maxAnswerBytes).toString('utf8') }));
      response.on('error', reject);
      // After 'end' this changes nothing; without it, a connection dropped mid-answer would leave us waiting.
      response.on('close', () => reject(new Error('the connection closed before the answer ended')));
    });
    request.on('error', reject);
    request.end(body);
  });
}
