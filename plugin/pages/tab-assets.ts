import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Hono } from 'hono';
import { copyScript } from '../../views/assets/copy-script.js';
import { experimentsCss } from '../../views/assets/experiments-css.js';

// Not fingerprinted, so kept briefly: a new version reaches browsers within minutes.
const assetCache = 'public, max-age=300';

// Resolved from this module, not the working directory: the file is the one installed with the plugin, wherever
// the host runs from. Read on first request, so a worker process never reads it.
const htmxFile = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');
let htmx: Buffer | undefined;

/** The tab's static files, all served from inside the package: its stylesheet, its script and htmx. */
export function tabAssetRoutes(app: Hono): void {
  app.get('/assets/experiments.css', (c) => c.body(experimentsCss, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': assetCache }));
  app.get('/assets/experiments.js', (c) =>
    c.body(copyScript, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': assetCache }),
  );
  app.get('/assets/htmx.min.js', (c) => {
    htmx ??= readFileSync(htmxFile);
    return c.body(new Uint8Array(htmx), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': assetCache });
  });
}
