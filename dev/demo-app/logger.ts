/** Where the demo app reports what it cannot throw (background pipelines, trace exports). `console` fits. */
export type DemoLogger = Pick<Console, 'info' | 'warn' | 'error'>;
