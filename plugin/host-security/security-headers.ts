import { secureHeaders } from 'hono/secure-headers';

export interface SecurityHeaderOptions {
  /**
   * Who may frame the pages (CSP `frame-ancestors`): `["'self'"]` by default; a host that shows the tab inside
   * another site's page lists that origin, e.g. `["'self'", 'https://portal.example']`; `["'none'"]` forbids it.
   */
  frameAncestors?: string[];
}

/**
 * The headers every page gets: a CSP under which the tab and htmx work (scripts and styles from this site only, no
 * inline script, no plugins, forms posting to this site only), `frame-ancestors` as the host says, `nosniff`, and a
 * referrer policy that sends no path to other sites.
 */
export function securityHeaders(options: SecurityHeaderOptions = {}) {
  const frameAncestors = options.frameAncestors?.length ? options.frameAncestors : ["'self'"];
  const onlySelf = frameAncestors.length === 1 && frameAncestors[0] === "'self'";
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors,
    },
    referrerPolicy: 'strict-origin-when-cross-origin',
    xContentTypeOptions: true,
    // X-Frame-Options cannot name other sites; it only backs up frame-ancestors when that is 'self'.
    xFrameOptions: onlySelf ? 'SAMEORIGIN' : false,
    // Transport security is the TLS terminator's to declare, not a plugin's (the dev host runs on plain http).
    strictTransportSecurity: false,
    crossOriginOpenerPolicy: true,
    crossOriginResourcePolicy: true,
  });
}
