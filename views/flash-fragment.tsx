/** The page's message area (`#flash`); with `oob` it replaces the one on the page from any htmx response. */
export function Flash({ message, tone = 'error', oob = false }: { message?: string; tone?: 'error' | 'ok'; oob?: boolean }) {
  return (
    <div id="flash" class="xp-flash" hx-swap-oob={oob ? 'true' : undefined}>
      {message ? (
        <p class={`xp-flash-message xp-flash-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
          {message}
        </p>
      ) : null}
    </div>
  );
}
