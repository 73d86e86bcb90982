import { createServer } from 'node:net';
import { freePort } from './free-port.js';

/** The preferred port when it is free, else any free one (a second instance, a busy machine). */
export function preferredPort(preferred: number): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer();
    probe.once('error', () => void freePort().then(resolve));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(preferred)));
  });
}
