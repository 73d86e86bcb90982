import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 hex of a secret: what the shell stores instead of API keys and session tokens. */
export const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** A new project API key, `px_` + 32 url-safe characters. */
export const generateApiKey = () => `px_${randomBytes(24).toString('base64url')}`;

/** A new Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export const generateWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export const generateSessionToken = () => randomBytes(32).toString('base64url');

/** The few leading characters of a key shown to people; never enough to reveal a short key. */
export const keyPrefix = (key: string) => key.slice(0, Math.min(8, Math.floor(key.length / 3)));
