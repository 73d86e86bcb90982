import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import { z } from 'zod';
import type { ExperimentsHost } from '../../plugin/host.js';
import { pageAuth } from './auth-middleware.js';
import type { HostDb } from './host-database.js';
import type { HostEnv } from './host-env.js';
import { listInferenceSteps } from './inference-step-repository.js';
import { getProject } from './project-repository.js';
import { getTraceSpans, listTraces } from './span-repository.js';
import { listTasks, toTaskView } from './task-repository.js';
import { validate } from './validation.js';
import { getWebhook } from './webhook-repository.js';
import { HostLayout, sectionOf, type PluginTab } from './views/host-layout.js';
import { InferenceStepsPage } from './views/inference-steps-page.js';
import { MessagePage } from './views/message-page.js';
import { SettingsPage } from './views/settings-page.js';
import { TasksPage } from './views/tasks-page.js';
import { TracePage } from './views/trace-page.js';
import { TracesPage } from './views/traces-page.js';

export interface PageRoutesOptions {
  db: HostDb;
  capabilities: ExperimentsHost;
  pluginTab: PluginTab | null;
  testIdAttribute: string;
}

const pageSize = 50;

/** The host's own pages: traces, a trace, tasks, inference steps and webhook settings. */
export function createPageRoutes({ db, capabilities, pluginTab, testIdAttribute }: PageRoutesOptions) {
  const pages = new Hono<HostEnv>({ strict: false });
  const auth = pageAuth(capabilities);

  async function render(c: Context<HostEnv>, title: string, body: Child, status: 200 | 404 = 200) {
    const project = await getProject(db, c.get('principal').projectId);
    const current = sectionOf(new URL(c.req.url).pathname, pluginTab);
    return c.html(
      <HostLayout title={title} projectName={project?.name ?? 'Unknown project'} current={current} pluginTab={pluginTab}>
        {body}
      </HostLayout>,
      status,
    );
  }

  pages.get('/', auth, (c) => c.redirect('/traces', 302));

  pages.get('/traces', auth, validate('query', z.object({ cursor: z.string().max(500).optional() })), async (c) => {
    const { cursor } = c.req.valid('query');
    const page = await listTraces(db, c.get('principal').projectId, { limit: pageSize, testIdAttribute, ...(cursor ? { cursor } : {}) });
    return render(
      c,
      'Traces',
      <TracesPage traces={page.items} paged={cursor !== undefined} {...(page.nextCursor ? { nextCursor: page.nextCursor } : {})} />,
    );
  });

  pages.get('/traces/:id', auth, async (c) => {
    const traceId = c.req.param('id');
    const spans = await getTraceSpans(db, c.get('principal').projectId, traceId);
    if (spans.length === 0)
      return render(c, 'Trace not found', <MessagePage title="Trace not found" message={`No trace ${traceId} in this project.`} />, 404);
    return render(
      c,
      spans.find((span) => span.parent_span_id === null)?.name ?? 'Trace',
      <TracePage traceId={spans[0]!.trace_id} spans={spans} testIdAttribute={testIdAttribute} />,
    );
  });

  pages.get(
    '/tasks',
    auth,
    validate('query', z.object({ search: z.string().max(200).optional(), cursor: z.string().max(500).optional() })),
    async (c) => {
      const { search, cursor } = c.req.valid('query');
      const page = await listTasks(db, c.get('principal').projectId, {
        limit: pageSize,
        ...(search ? { search } : {}),
        ...(cursor ? { cursor } : {}),
      });
      return render(
        c,
        'Tasks',
        <TasksPage
          tasks={page.items.map(toTaskView)}
          search={search ?? ''}
          paged={cursor !== undefined}
          {...(page.nextCursor ? { nextCursor: page.nextCursor } : {})}
        />,
      );
    },
  );

  pages.get('/inference-steps', auth, async (c) => {
    return render(c, 'Inference steps', <InferenceStepsPage steps={await listInferenceSteps(db, c.get('principal').projectId)} />);
  });

  pages.get('/settings', auth, async (c) => {
    const projectId = c.get('principal').projectId;
    const [project, webhook] = await Promise.all([getProject(db, projectId), getWebhook(db, projectId)]);
    return render(
      c,
      'Webhook settings',
      <SettingsPage
        project={{ id: projectId, name: project?.name ?? '', apiKeyPrefix: project?.api_key_prefix ?? '' }}
        webhook={
          webhook
            ? { url: webhook.url, headerNames: Object.keys(webhook.headers).sort(), updatedAt: webhook.updated_at.toISOString() }
            : null
        }
      />,
    );
  });

  return pages;
}
