import { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { HostError } from './host-error.js';

const tooLarge = (limit: number) => new HostError('payload_too_large', `The request body is larger than ${limit} bytes.`);

/**
 * The request's body as bytes, refused with 413 once it passes `limit` bytes (a declared length over it is
 * refused before anything is read).
 *
 * Served by `@hono/node-server`, the bytes are read from Node's own request: going through the web `Request`
 * made a real `Request` and a web stream for every request (hono's body limit asks for `request.body`), which
 * was 7% of the host's CPU in the throughput profile, all of it on trace ingestion. Anywhere else (`app.request`
 * in tests, another runtime), the web `Request` is read, within the same limit.
 */
export async function readBody(c: Context, limit: number): Promise<Buffer> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (incoming instanceof IncomingMessage && !incoming.readableDidRead) return readIncoming(incoming, limit);
  return readWebBody(c.req.raw, limit);
}

function readIncoming(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      // Not destroyed: the 413 still goes out, and the server drains (or closes) what the client keeps sending.
      stop();
      incoming.pause();
      reject(tooLarge(limit));
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(new HostError('bad_request', `The request body could not be read: ${error.message}`));
    };
    const onClose = () => {
      stop();
      reject(new HostError('bad_request', 'The client closed the connection before the whole body arrived.'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

async function readWebBody(request: Request, limit: number): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks, size);
}
