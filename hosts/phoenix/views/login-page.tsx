import { raw } from 'hono/html';

/** The sign-in form: a project API key starts a browser session. */
export function LoginPage({ next, error }: { next: string; error?: string }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>Log in · Phoenix experiments</title>
          <link rel="stylesheet" href="/static/shell.css" />
        </head>
        <body class="login">
          <main class="login-box">
            <h1>Phoenix · Experiments</h1>
            <p>Log in with your project's API key.</p>
            {error ? (
              <p class="error" role="alert">
                {error}
              </p>
            ) : null}
            <form method="post" action="/login">
              <input type="hidden" name="next" value={next} />
              <label for="api-key">API key</label>
              <input id="api-key" name="apiKey" type="password" autocomplete="current-password" required autofocus />
              <button type="submit">Log in</button>
            </form>
          </main>
        </body>
      </html>
    </>
  );
}
