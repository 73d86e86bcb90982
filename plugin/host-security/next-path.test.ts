import { describe, expect, it } from 'vitest';
import { nextPathOf } from './next-path.js';

describe('nextPathOf', () => {
  it('follows a relative path of this site, its query kept as given', () => {
    for (const next of ['/settings', '/plugins/experiments/?status=idle', '/tasks?search=a%2Fb%20c', '/traces#top']) {
      expect(nextPathOf(next, '/home'), next).toEqual({ ok: true, path: next });
    }
  });

  it('sends anything that could leave the site, or that a browser reinterprets, to the fallback', () => {
    for (const next of ['//evil.example', '/\\evil.example', '\\\\evil.example', '/\t/evil.example', 'https://evil.example', 'https:evil.example', 'evil', '/%09/evil.example', '/%5C/evil.example', '/%2F/evil.example', '/%252F/x', '/\u200B/evil.example', '/ /x', `/${'x'.repeat(2001)}`]) {
      expect(nextPathOf(next, '/home'), JSON.stringify(next)).toEqual({ ok: true, path: '/home' });
    }
  });

  it('refuses CR, LF and NUL, raw or encoded', () => {
    for (const next of ['/x\r\nSet-Cookie: a=1', '/x\n', '/x\0', '/x%0d%0a', '/x%00']) expect(nextPathOf(next, '/home').ok, JSON.stringify(next)).toBe(false);
  });
});
