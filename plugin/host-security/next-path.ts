/** Where to send the browser after a login: a path on this site, the fallback, or a refusal (400). */
export type NextPath = { ok: true; path: string } | { ok: false; reason: string };

// A header value cannot hold these; a Location built from them was a 500 (and a header-splitting attempt).
const lineBreakOrNul = /[\r\n\0]|%(0d|0a|00)/i;
// Characters a browser strips or reinterprets in a URL (tab, backslash, controls, spaces, invisible format
// characters): `/\t/evil.example` is resolved as `//evil.example`.
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const unsafe = /[\u0000-\u001f\u007f-\u009f\\\s\p{Cf}]/u;
// The same, percent-encoded, in the path (the query may encode what it likes: it cannot change the origin).
const unsafeEncoded = /%(?:[01][0-9a-f]|7f|5c|2f|25|20)/i;
const probeOrigin = 'http://next-path.invalid';

/**
 * The `next` of a login link, checked: only a relative path of this site (one leading "/", no scheme, no host) is
 * followed; anything else goes to `fallback`. CR, LF or NUL (raw or encoded) is refused outright.
 */
export function nextPathOf(next: string | undefined, fallback: string): NextPath {
  if (!next) return { ok: true, path: fallback };
  if (lineBreakOrNul.test(next)) return { ok: false, reason: 'The next address holds a line break or NUL character.' };
  const pathPart = next.split(/[?#]/)[0]!;
  if (next.length > 2000 || !next.startsWith('/') || next.startsWith('//') || unsafe.test(next) || unsafeEncoded.test(pathPart))
    return { ok: true, path: fallback };
  try {
    const resolved = new URL(next, probeOrigin);
    if (resolved.origin !== probeOrigin) return { ok: true, path: fallback };
  } catch {
    return { ok: true, path: fallback };
  }
  return { ok: true, path: next };
}
