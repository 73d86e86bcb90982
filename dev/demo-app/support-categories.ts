/** The intents the demo app's classifier chooses between. */
export const SUPPORT_CATEGORIES = [
  'refund',
  'shipping',
  'password_reset',
  'billing',
  'cancellation',
  'technical',
] as const;

export type SupportCategory = (typeof SUPPORT_CATEGORIES)[number];

// Ordered: a message that mentions both cancelling and a charge is first of all a cancellation.
const CUES: ReadonlyArray<readonly [SupportCategory, RegExp]> = [
  ['password_reset', /\b(password|locked out|log ?in|sign ?in|two-factor|2fa)\b/i],
  ['cancellation', /\b(cancel\w*|unsubscribe|close my account|end my (plan|subscription))\b/i],
  ['refund', /\b(refund\w*|money back|reimburse\w*|return(ed|ing)?)\b/i],
  ['shipping', /\b(ship\w*|deliver\w*|tracking|parcel|package|courier)\b/i],
  ['billing', /\b(charged?|invoice\w*|bill\w*|receipts?|vat|payments?)\b/i],
  ['technical', /\b(error|crash\w*|bug|broken|not working|sync\w*|(won't|doesn't|does not|will not) load)\b/i],
];

/** Keyword rules for a message's intent, used when a task carries no `metadata.category`. */
export function guessCategory(message: string): SupportCategory | undefined {
  return CUES.find(([, cue]) => cue.test(message))?.[0];
}

export function isSupportCategory(value: unknown): value is SupportCategory {
  return typeof value === 'string' && (SUPPORT_CATEGORIES as readonly string[]).includes(value);
}
