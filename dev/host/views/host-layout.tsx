import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';

/** The host's own sections, plus the plugin's tab. */
export type NavSection = 'traces' | 'tasks' | 'inference-steps' | 'settings' | 'plugin';

export interface PluginTab {
  label: string;
  href: string;
  /** Path prefix of every page of the plugin, to mark the tab as current. */
  mountPath: string;
}

/** The plugin's tab as the manifest declares it: `tab.label` linking to `mountPath + tab.path`. */
export function pluginTabOf(manifest: { mountPath: string; tab: { label: string; path: string } }): PluginTab {
  return { label: manifest.tab.label, href: `${manifest.mountPath}${manifest.tab.path}`, mountPath: manifest.mountPath };
}

const hostSections: Array<{ section: NavSection; label: string; href: string }> = [
  { section: 'traces', label: 'Traces', href: '/traces' },
  { section: 'tasks', label: 'Tasks', href: '/tasks' },
  { section: 'inference-steps', label: 'Inference steps', href: '/inference-steps' },
  { section: 'settings', label: 'Webhook settings', href: '/settings' },
];

/** Which navigation entry a path belongs to, if any. */
export function sectionOf(pathname: string, tab: PluginTab | null): NavSection | null {
  if (tab && (pathname === tab.mountPath || pathname.startsWith(`${tab.mountPath}/`))) return 'plugin';
  return hostSections.find((entry) => pathname === entry.href || pathname.startsWith(`${entry.href}/`))?.section ?? null;
}

export interface HostLayoutProps {
  title: string;
  projectName: string;
  current: NavSection | null;
  pluginTab: PluginTab | null;
  children?: Child;
}

/** The host chrome: header with project name, navigation (with the plugin's tab), htmx and the stylesheet. */
export function HostLayout({ title, projectName, current, pluginTab, children }: HostLayoutProps) {
  const entries = [...hostSections, ...(pluginTab ? [{ section: 'plugin' as const, label: pluginTab.label, href: pluginTab.href }] : [])];
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · Reference host`}</title>
          <link rel="stylesheet" href="/static/host.css" />
          <script src="/static/htmx.min.js"></script>
        </head>
        <body>
          <header class="host-header">
            <a class="host-brand" href="/traces">
              Reference host
            </a>
            <span class="host-project" title="Current project">
              {projectName}
            </span>
            <nav class="host-nav" aria-label="Main">
              <ul>
                {entries.map((entry) => (
                  <li>
                    <a href={entry.href} aria-current={entry.section === current ? 'page' : undefined} data-section={entry.section}>
                      {entry.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <form class="host-logout" method="post" action="/logout">
              <button type="submit">Log out</button>
            </form>
          </header>
          <main class="host-main">{children}</main>
        </body>
      </html>
    </>
  );
}
