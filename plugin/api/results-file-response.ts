import type { Context } from 'hono';
import { contentDisposition } from '../operations/export-file-name.js';
import type { ResultsFile } from '../operations/results-export.js';

/** A results export as the response both the API and the tab send: its media type and its readable file name. */
export function resultsFileResponse(c: Context, file: ResultsFile, disposition: 'attachment' | 'inline'): Response {
  return c.body(file.body, 200, { 'content-type': file.contentType, 'content-disposition': contentDisposition(file.fileName, disposition) });
}
