/**
 * `EXPERIMENTS_WEBHOOK_ALLOWED_HOSTS` for a local start: the demo application's loopback address and nothing more,
 * plus whatever the operator listed. Any other loopback or private address stays out of a webhook's reach.
 */
export function withDemoApp(operatorSetting: string | undefined, demoPort: number): string {
  const demo = `127.0.0.1:${demoPort}`;
  return operatorSetting?.trim() ? `${operatorSetting},${demo}` : demo;
}
