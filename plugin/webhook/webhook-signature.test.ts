import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook } from './webhook-signature.js';

describe('signWebhook', () => {
  it('signs exactly as standardwebhooks does, for any payload', () => {
    const secret = `whsec_${Buffer.from('a key of some length, not a multiple of three').toString('base64')}`;
    for (const payload of ['', '{"testId":"x"}', JSON.stringify({ prompt: 'naïve café ✓ 𝄞', n: [1, 2, 3] }), 'x'.repeat(10_000)]) {
      const at = new Date(1_764_000_000_123);
      expect(signWebhook(secret, 'msg-1', Math.floor(at.getTime() / 1000), payload)).toBe(new Webhook(secret).sign('msg-1', at, payload));
    }
  });

  it('refuses a secret the library refuses', () => {
    expect(signWebhook('whsec_not base64!!', 'msg-1', 1, '{}')).toBeNull();
    expect(() => new Webhook('whsec_not base64!!')).toThrow();
  });
});
