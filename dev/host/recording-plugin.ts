import { Hono } from 'hono';
import type { ExperimentsHost, HostSpan } from '../../plugin/host.js';
import type { HostPlugin } from './host-env.js';

/** A plugin for the host's tests: it records what the host hands it and renders one page through the host layout. */
export interface RecordingPlugin extends HostPlugin {
  received: Array<{ projectId: string; spans: HostSpan[] }>;
  /** When set, `onSpansIngested` records the call and then throws this. */
  failWith: Error | null;
}

export function createRecordingPlugin(capabilities: ExperimentsHost): RecordingPlugin {
  const app = new Hono();
  const plugin: RecordingPlugin = {
    app,
    received: [],
    failWith: null,
    async onSpansIngested(projectId, spans) {
      plugin.received.push({ projectId, spans });
      if (plugin.failWith) throw plugin.failWith;
    },
  };
  app.get('/', async (c) => {
    const principal = await capabilities.auth(c.req.raw);
    if (!principal) return c.json({ error: { code: 'unauthorized', message: 'Log in first.' } }, 401);
    const body = await capabilities.layout!({
      title: 'Experiments',
      projectId: principal.projectId,
      body: 'Recorded experiments page',
      request: c.req.raw,
    });
    return c.html(body as string);
  });
  return plugin;
}
