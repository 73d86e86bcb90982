import { describe, expect, it } from 'vitest';
import { escapeControl, escapingLog } from './escape-control.js';

describe('log escaping', () => {
  it('writes every control character of a message as \\uXXXX', () => {
    expect(escapeControl('GET /a\r\nforged line\u0000\u001b[31m')).toBe('GET /a\\u000d\\u000aforged line\\u0000\\u001b[31m');
  });

  it("escapes an error's message but keeps its stack's own line breaks; a clean error passes as it is", () => {
    const lines: Array<[string, unknown]> = [];
    const log = escapingLog((message, error) => lines.push([message, error]));
    const dirty = new TypeError('Invalid header value: "/x\r\nSet-Cookie: a=1"');
    log('Unexpected error on GET /login\r\n', dirty);
    const [message, logged] = lines[0]!;
    expect(message).toBe('Unexpected error on GET /login\\u000d\\u000a');
    expect((logged as Error).message).toBe('Invalid header value: "/x\\u000d\\u000aSet-Cookie: a=1"');
    expect((logged as Error).name).toBe('TypeError');
    expect((logged as Error).stack).toMatch(/^TypeError: Invalid header value: "\/x\\u000d\\u000aSet-Cookie: a=1"\n\s+at /);
    expect((logged as Error).stack).not.toMatch(/\r/);
    const clean = new Error('plugin database is down');
    log('callback failed', clean);
    expect(lines[1]![1]).toBe(clean);
  });
});
