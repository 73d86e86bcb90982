export interface SettingsPageProps {
  project: { id: string; name: string; apiKeyPrefix: string; phoenixProject: string; datasetId: string | null };
  phoenixUrl: string;
  /** Header values are left out on purpose: they often hold credentials. */
  webhook: { url: string; headerNames: string[]; updatedAt: string } | null;
}

/** The project's settings (read-only): its Phoenix project and dataset, and the application's webhook. */
export function SettingsPage({ project, phoenixUrl, webhook }: SettingsPageProps) {
  return (
    <section>
      <h1>Settings</h1>
      <h2>Project</h2>
      <dl class="facts">
        <dt>Name</dt>
        <dd>{project.name}</dd>
        <dt>API key</dt>
        <dd>
          <code>{project.apiKeyPrefix}…</code>
        </dd>
        <dt>Phoenix</dt>
        <dd>
          <a href={phoenixUrl}>{phoenixUrl}</a>
        </dd>
        <dt>Phoenix project</dt>
        <dd>
          <code id="phoenix-project">{project.phoenixProject}</code> (the application sets it as <code>openinference.project.name</code>)
        </dd>
        <dt>Dataset (tasks)</dt>
        <dd>
          {project.datasetId ? (
            <code id="dataset">{project.datasetId}</code>
          ) : (
            <span class="muted">none; choose one with PUT /api/dataset</span>
          )}
        </dd>
      </dl>
      <h2>Application webhook</h2>
      {webhook ? (
        <dl class="facts" id="webhook">
          <dt>URL</dt>
          <dd>
            <code>{webhook.url}</code>
          </dd>
          <dt>Signing secret</dt>
          <dd>Set. It was shown once when created; rotate it with PUT /api/webhook {'{"rotateSecret": true}'}.</dd>
          <dt>Extra headers</dt>
          <dd>
            {webhook.headerNames.length > 0 ? (
              webhook.headerNames.map((name) => <code class="chip">{name}</code>)
            ) : (
              <span class="muted">none</span>
            )}
          </dd>
        </dl>
      ) : (
        <p class="empty" id="webhook">
          No webhook yet. Set one with PUT /api/webhook {'{"url": "https://…"}'}; the response shows the signing secret once.
        </p>
      )}
    </section>
  );
}
