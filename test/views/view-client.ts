import type { PluginHarness } from '../helpers/plugin-harness.js';
import { parseHtml, type HtmlElement } from './html.js';

/** The origin the harness host answers on; view posts from it pass the same-origin check. */
export const hostOrigin = 'http://host.test';
export const mount = '/plugins/experiments';

export interface ViewResponse {
  status: number;
  headers: Headers;
  html: string;
  doc: HtmlElement;
}

export interface ViewRequest {
  form?: Record<string, string | string[]>;
  /** Sent as an htmx request (`HX-Request: true`). */
  htmx?: boolean;
  headers?: Record<string, string>;
  /** Project A's key by default; null sends none. */
  apiKey?: string | null;
}

/** Requests a page or posts a form of the tab through the real host app, as a same-origin browser would. */
export function viewClient(harness: PluginHarness) {
  return async function view(method: 'GET' | 'POST', path: string, request: ViewRequest = {}): Promise<ViewResponse> {
    const headers: Record<string, string> = { accept: 'text/html' };
    const apiKey = request.apiKey === undefined ? harness.projects.a.apiKey : request.apiKey;
    if (apiKey !== null) headers['x-api-key'] = apiKey;
    if (request.htmx) headers['hx-request'] = 'true';
    let body: URLSearchParams | undefined;
    if (method === 'POST') {
      headers.origin = hostOrigin;
      headers['sec-fetch-site'] = 'same-origin';
      body = new URLSearchParams();
      for (const [name, value] of Object.entries(request.form ?? {})) {
        for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
      }
    }
    const response = await harness.host.app.request(`${hostOrigin}${path.startsWith('/') ? path : `${mount}/${path}`}`, {
      method,
      headers: { ...headers, ...request.headers },
      ...(body ? { body } : {}),
    });
    const html = await response.text();
    return { status: response.status, headers: response.headers, html, doc: parseHtml(html) };
  };
}
