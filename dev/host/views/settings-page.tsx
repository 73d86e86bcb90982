export interface SettingsPageProps {
  project: { id: string; name: string; apiKeyPrefix: string };
  /** Header values are left out on purpose: they often hold credentials. */
  webhook: { url: string; headerNames: string[]; updatedAt: string } | null;
}

/** Webhook settings (read-only). The signing secret is never shown here. */
export function SettingsPage({ project, webhook }: SettingsPageProps) {
  return (
    <section>
      <h1>Webhook settings</h1>
      <h2>Project</h2>
      <dl class="facts">
        <dt>Name</dt>
        <dd>{project.name}</dd>
        <dt>Project id</dt>
        <dd>
          <code>{project.id}</code>
        </dd>
        <dt>API key</dt>
        <dd>
          <code>{project.apiKeyPrefix}…</code>
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
