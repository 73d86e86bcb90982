import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';

/** Where the shell's navigation leads: the plugin's tab, and Phoenix's own pages for the project. */
export interface ShellNav {
  tab: { label: string; href: string; mountPath: string };
  phoenixTraces: string;
  phoenixDatasets: string;
}

export interface ShellLayoutProps {
  title: string;
  projectName: string;
  nav: ShellNav;
  /** The current path, to mark the current entry. */
  path: string;
  children?: Child;
}

/** The shell's chrome around the Experiments tab: project, navigation into Phoenix, settings, log out. */
export function ShellLayout({ title, projectName, nav, path, children }: ShellLayoutProps) {
  const inTab = path === nav.tab.mountPath || path.startsWith(`${nav.tab.mountPath}/`);
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · Phoenix experiments`}</title>
          <link rel="stylesheet" href="/static/shell.css" />
          <script src="/static/htmx.min.js"></script>
        </head>
        <body>
          <header class="shell-header">
            <span class="shell-brand">Phoenix · Experiments</span>
            <span class="shell-project" title="Current project">
              {projectName}
            </span>
            <nav class="shell-nav" aria-label="Main">
              <ul>
                <li>
                  <a href={nav.tab.href} aria-current={inTab ? 'page' : undefined} data-section="plugin">
                    {nav.tab.label}
                  </a>
                </li>
                <li>
                  <a href={nav.phoenixTraces} data-section="phoenix-traces" rel="noopener">
                    Traces in Phoenix ↗
                  </a>
                </li>
                <li>
                  <a href={nav.phoenixDatasets} data-section="phoenix-datasets" rel="noopener">
                    Datasets in Phoenix ↗
                  </a>
                </li>
                <li>
                  <a href="/settings" aria-current={path === '/settings' ? 'page' : undefined} data-section="settings">
                    Settings
                  </a>
                </li>
              </ul>
            </nav>
            <form class="shell-logout" method="post" action="/logout">
              <button type="submit">Log out</button>
            </form>
          </header>
          <main class="shell-main">{children}</main>
        </body>
      </html>
    </>
  );
}
