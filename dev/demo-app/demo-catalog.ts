import type { StepParams } from './model.js';
import { defaultStepParams, type PipelineStep } from './pipeline.js';
import type { SupportCategory } from './support-categories.js';

/** An inference step of the demo project, as registered with the host. */
export interface DemoInferenceStep {
  externalId: PipelineStep;
  title: string;
  type: 'llm';
}

/** The evaluations the demo tasks use (a subset of what the plugin supports). */
export type DemoEvaluation =
  | { type: 'contains' | 'not_contains'; value: string; ignoreCase?: boolean }
  | { type: 'regex'; pattern: string; flags?: string };

/** A test case of the demo project, as created in the host's task catalog. */
export interface DemoTask {
  title: string;
  prompt: string;
  metadata: { category: SupportCategory };
  expected: string;
  evaluations: DemoEvaluation[];
}

/** The demo project's inference steps. */
export const demoInferenceSteps: readonly DemoInferenceStep[] = [
  { externalId: 'classifier', title: 'Intent classifier', type: 'llm' },
  { externalId: 'response_generator', title: 'Response generator', type: 'llm' },
];

/** A baseline for a demo experiment: the app's own settings, spelled out so every variant changes a visible value. */
export const demoBaselineConfig: Record<PipelineStep, StepParams> = defaultStepParams('gpt-4o-mini');

// What a vague, unhelpful answer says; a good answer never does.
const VAGUE = 'Looking into your request';

const contains = (value: string): DemoEvaluation => ({ type: 'contains', value });
const notContains = (value: string): DemoEvaluation => ({ type: 'not_contains', value, ignoreCase: true });
const regex = (pattern: string): DemoEvaluation => ({ type: 'regex', pattern });

/** Customer-support test cases, four per category. */
export const demoTasks: readonly DemoTask[] = [
  {
    title: 'Refund for a damaged blender',
    prompt: 'My blender arrived with a cracked jar. I would like my money back, please.',
    metadata: { category: 'refund' },
    expected:
      'Sorry about the cracked jar. I have issued a full refund to your card; it arrives within 5-7 business days.',
    evaluations: [contains('refund'), regex('\\d+-\\d+ business days')],
  },
  {
    title: 'Refund for a duplicate order',
    prompt: 'I accidentally placed the same order twice. Can you refund the second one?',
    metadata: { category: 'refund' },
    expected: 'No problem: the second order is refunded in full and the money is back on your card within a week.',
    evaluations: [contains('refund'), notContains(VAGUE)],
  },
  {
    title: 'Returning shoes that do not fit',
    prompt: 'The running shoes I bought are a size too small. How do I return them and get a refund?',
    metadata: { category: 'refund' },
    expected: 'Send them back with the prepaid label in your order email; we refund the full price once they arrive.',
    evaluations: [contains('refund')],
  },
  {
    title: 'Refund for a gift that came too late',
    prompt: 'The birthday gift I ordered showed up a week after the party. I want a refund.',
    metadata: { category: 'refund' },
    expected: 'Sorry it came late. I have refunded the order in full; expect the money within 5-7 business days.',
    evaluations: [contains('refund'), notContains(VAGUE)],
  },
  {
    title: 'Order has not shipped',
    prompt: 'I ordered a laptop stand 10 days ago and it still has not shipped. Where is it?',
    metadata: { category: 'shipping' },
    expected: 'Your laptop stand left our warehouse today; the tracking link is in your inbox.',
    evaluations: [contains('tracking')],
  },
  {
    title: 'Package marked delivered but missing',
    prompt: 'The courier says my package was delivered yesterday, but it is not at my door.',
    metadata: { category: 'shipping' },
    expected:
      'Please check with neighbours first; the tracking page shows where the courier left it. If it is lost we send a new one.',
    evaluations: [contains('tracking'), notContains(VAGUE)],
  },
  {
    title: 'Upgrade to express delivery',
    prompt: 'Can I still switch my order to express delivery? I need it before Friday.',
    metadata: { category: 'shipping' },
    expected: 'Yes, I upgraded it to express; follow it with the tracking link we sent, it arrives by Thursday.',
    evaluations: [contains('tracking')],
  },
  {
    title: 'Shipping time to Canada',
    prompt: 'How long does shipping to Canada usually take?',
    metadata: { category: 'shipping' },
    expected: 'Orders to Canada take 5-8 business days, and you get a tracking link as soon as they leave.',
    evaluations: [contains('tracking')],
  },
  {
    title: 'Forgotten password',
    prompt: 'I forgot my password and cannot get into my account.',
    metadata: { category: 'password_reset' },
    expected: 'I have sent a password reset link to your email; it is valid for 30 minutes.',
    evaluations: [contains('reset link'), regex('\\b30 minutes\\b')],
  },
  {
    title: 'Reset email never arrives',
    prompt: 'I have requested a password reset three times but the email never comes.',
    metadata: { category: 'password_reset' },
    expected: 'I have sent a fresh reset link; please check your spam folder, it is valid for 30 minutes.',
    evaluations: [contains('reset link'), notContains(VAGUE)],
  },
  {
    title: 'Locked out after failed attempts',
    prompt: 'I am locked out after too many wrong attempts. How do I get back in?',
    metadata: { category: 'password_reset' },
    expected: 'The lock lifts after 15 minutes, or use the reset link I just sent you to choose a new password.',
    evaluations: [contains('reset link')],
  },
  {
    title: 'Unknown password on a new phone',
    prompt: 'I got a new phone and it keeps asking for a password I do not remember.',
    metadata: { category: 'password_reset' },
    expected: 'Use the reset link I have sent to your email to set a new password, then sign in on the new phone.',
    evaluations: [contains('reset link'), regex('\\b30 minutes\\b')],
  },
  {
    title: 'Charged twice for one month',
    prompt: 'I was charged twice for my March subscription. Please fix this.',
    metadata: { category: 'billing' },
    expected:
      'I removed the duplicate charge; the corrected invoice is under Billing and the difference returns to your card.',
    evaluations: [contains('invoice'), notContains(VAGUE)],
  },
  {
    title: 'Invoice with a VAT number',
    prompt: 'I need an invoice for my last purchase that shows our company VAT number.',
    metadata: { category: 'billing' },
    expected: 'I added your VAT number; the updated invoice is ready to download under Billing.',
    evaluations: [contains('invoice')],
  },
  {
    title: 'Unrecognised card charge',
    prompt: 'There is a $29.99 charge on my card that I do not recognise.',
    metadata: { category: 'billing' },
    expected: 'That is your yearly plan renewal; the invoice under Billing shows the details.',
    evaluations: [contains('invoice')],
  },
  {
    title: 'Old billing address on receipts',
    prompt: 'My receipts still show my old billing address. How can I change it?',
    metadata: { category: 'billing' },
    expected: 'I updated the address on your account, and a corrected invoice is now under Billing.',
    evaluations: [contains('invoice'), notContains(VAGUE)],
  },
  {
    title: 'Cancel a Premium subscription',
    prompt: 'Please cancel my Premium subscription, I do not use it anymore.',
    metadata: { category: 'cancellation' },
    expected: 'Done: your Premium subscription is cancelled and you keep access until the end of this period.',
    evaluations: [contains('cancel'), notContains(VAGUE)],
  },
  {
    title: 'Stop automatic renewal',
    prompt: 'How do I stop my plan from renewing next month? I want to end my subscription.',
    metadata: { category: 'cancellation' },
    expected: 'I have cancelled the renewal; your plan ends at the close of this month and nothing more is charged.',
    evaluations: [contains('cancel')],
  },
  {
    title: 'Cancel before the trial ends',
    prompt: 'My free trial ends tomorrow and I do not want to pay. Can you cancel it?',
    metadata: { category: 'cancellation' },
    expected: 'Your trial is cancelled, so you will not be charged tomorrow.',
    evaluations: [contains('cancel')],
  },
  {
    title: 'Close my account',
    prompt: 'I would like to close my account and stop all future payments.',
    metadata: { category: 'cancellation' },
    expected:
      'I have cancelled your subscription and scheduled the account for closing; no further payments will be taken.',
    evaluations: [contains('cancel'), notContains(VAGUE)],
  },
  {
    title: 'App crashes on launch',
    prompt: 'The app crashes every time I open it since yesterday.',
    metadata: { category: 'technical' },
    expected: 'Please install the latest version from the app store; it fixes this crash.',
    evaluations: [contains('latest version')],
  },
  {
    title: 'Notes stopped syncing',
    prompt: 'My notes are not syncing between my phone and my laptop anymore.',
    metadata: { category: 'technical' },
    expected: 'Update both devices to the latest version and sign out and back in; syncing resumes within a minute.',
    evaluations: [contains('latest version'), notContains(VAGUE)],
  },
  {
    title: 'Error 503 on the dashboard',
    prompt: 'I get "Error 503" whenever I try to open my dashboard.',
    metadata: { category: 'technical' },
    expected: 'That was a short outage on our side, now fixed; if it persists, update to the latest version and retry.',
    evaluations: [contains('latest version')],
  },
  {
    title: 'Reports page does not load',
    prompt: 'The reports page does not load; it just shows a spinning wheel.',
    metadata: { category: 'technical' },
    expected: 'Please update to the latest version and restart; the reports page loads again after that.',
    evaluations: [contains('latest version')],
  },
];
