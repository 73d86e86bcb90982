#!/usr/bin/env node
import { main } from './main.js';

// A reader that stops early (`experiments run x | head`) closes the pipe: the command goes on, and ends with its own
// exit code, without writing there any more.
const closed = new Set<NodeJS.WriteStream>();
const writer = (stream: NodeJS.WriteStream) => {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed.add(stream);
  });
  return (text: string) => {
    if (!closed.has(stream)) stream.write(text);
  };
};
const out = writer(process.stdout);
const err = writer(process.stderr);

// Stopped by Ctrl-C or a cancelled CI job: the runs are the server's and go on; say how to pick them up.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (process.stderr.isTTY) process.stderr.write('\u001b[?25h\n');
    process.stderr.write(
      `Stopped (${signal}). Runs already started go on on the server: run the same command again to pick them up, or \`experiments cancel <experiment>\` to stop them.\n`,
    );
    process.exit(2);
  });
}

// The `experiments` command: results on standard output, progress and messages on standard error.
process.exitCode = await main(process.argv.slice(2), { out, err, progressStream: process.stderr });
