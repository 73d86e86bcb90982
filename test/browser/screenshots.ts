import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';

const folder = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** Screenshots for the README are retaken only on request, so a test run leaves the working tree as it found it. */
export const updateScreenshots = process.env.UPDATE_SCREENSHOTS === '1';

/** Writes `docs/screenshots/<name>.png` when `UPDATE_SCREENSHOTS=1`; otherwise does nothing. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  if (!updateScreenshots) return;
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: `${folder}${name}.png`, fullPage });
}

/** Writes one element of the page as `docs/screenshots/<name>.png` when `UPDATE_SCREENSHOTS=1`. */
export async function elementScreenshot(element: Locator, name: string): Promise<void> {
  if (!updateScreenshots) return;
  mkdirSync(folder, { recursive: true });
  await element.screenshot({ path: `${folder}${name}.png` });
}
