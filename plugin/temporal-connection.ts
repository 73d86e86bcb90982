import type { ExperimentsConfig } from './config.js';

/** Connection settings for a Temporal dev server, a cluster, or Temporal Cloud (API key implies TLS). */
export function temporalConnectionOptions(config: ExperimentsConfig) {
  const tls = config.temporalTls || config.temporalApiKey !== undefined;
  return {
    address: config.temporalAddress,
    ...(tls ? { tls: true as const } : {}),
    ...(config.temporalApiKey ? { apiKey: config.temporalApiKey } : {}),
  };
}
