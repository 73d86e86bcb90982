// What a host needs to keep browsers and keys safe, shared by the reference host, the Phoenix shell and the
// plugin's own pages: safe login redirects, the same-origin check, failed-key limits, log escaping, headers.
export { nextPathOf, type NextPath } from './next-path.js';
export { escapeControl, escapingLog } from './escape-control.js';
export { isSameOriginRequest } from './same-origin-check.js';
export { createFailedKeyLimiter, clientOf, defaultFailedKeyLimits, type FailedKeyLimiter, type FailedKeyLimits } from './failed-key-limiter.js';
export { securityHeaders, type SecurityHeaderOptions } from './security-headers.js';
