/**
 * Hostile values, each with a name that says what it is, so a failing case reads like "name = unpaired high
 * surrogate". `unstorable` strings cannot be stored by Postgres (NUL, unpaired surrogates) and must be refused;
 * the others are odd but valid text that a free-text field may accept, as long as it round-trips exactly.
 */
export interface HostileString {
  name: string;
  value: string;
  unstorable?: boolean;
  /** Markup that must never come back unescaped in HTML. */
  markup?: string;
}

export const hostileStrings: HostileString[] = [
  { name: 'NUL inside', value: 'before\u0000after', unstorable: true },
  { name: 'only NUL', value: '\u0000', unstorable: true },
  { name: 'unpaired high surrogate', value: 'tone \ud83d test', unstorable: true },
  { name: 'unpaired low surrogate', value: 'tone \ude00 test', unstorable: true },
  { name: 'surrogates in the wrong order', value: '\ude00\ud83d', unstorable: true },
  { name: 'SQL injection (quote)', value: "x' OR '1'='1" },
  { name: 'SQL injection (drop table)', value: "'); DROP TABLE experiments.experiments; --" },
  { name: 'SQL injection (pg_sleep)', value: "1; SELECT pg_sleep(10); --" },
  { name: 'HTML script tag', value: '<script>alert("xss")</script>', markup: '<script>alert(' },
  { name: 'HTML attribute break-out', value: '"><img src=x onerror=alert(1)>', markup: '<img src=x' },
  { name: 'htmx attribute injection', value: "' hx-post='/evil' hx-trigger='load", markup: "hx-post='/evil'" },
  { name: 'template syntax', value: '{{7*7}} ${7*7} <%= 7*7 %>' },
  { name: 'RTL override', value: 'invoice\u202Egnp.exe' },
  { name: 'zero-width characters', value: 'a\u200Bb\u200Cc\u200Dd\u2060e\uFEFFf' },
  { name: '4-byte emoji and ZWJ sequence', value: '😀 👩‍👩‍👧‍👦 🏳️‍🌈 𝕏' },
  { name: 'combining marks', value: 'Z̴̡̪͓̈́ͅa̷̢̛l̶g̵o̸' },
  { name: 'line and paragraph separators', value: 'one\u2028two\u2029three' },
  { name: 'control characters', value: 'bell\u0007 escape\u001b[31mred\u001b[0m' },
  { name: 'non-characters', value: 'end\uFFFE\uFFFF' },
  { name: 'markdown and CSV formula', value: '=HYPERLINK("http://evil.example","click") | *bold* # head' },
  { name: 'backslashes and quotes', value: '\\"\\\\\'`' },
];

export const unstorableStrings = hostileStrings.filter((s) => s.unstorable);
export const storableStrings = hostileStrings.filter((s) => !s.unstorable);

/** Strings for fields that name something (ids, steps): none of them names anything that exists. */
export const namingStrings: HostileString[] = [
  ...storableStrings,
  { name: 'empty-looking (spaces)', value: '   ' },
  { name: 'path traversal', value: '../../etc/passwd' },
  { name: 'percent-encoded', value: '%27%20OR%201%3D1' },
];

/** Bodies that are not JSON at all, sent as application/json. */
export const malformedJson: Array<[string, string]> = [
  ['empty body', ''],
  ['truncated object', '{"name": "x"'],
  ['truncated string', '{"name": "x'],
  ['single quotes', "{'name': 'x'}"],
  ['trailing comma', '{"name": "x",}'],
  ['bare word', 'nul'],
  ['NaN literal', '{"n": NaN}'],
  ['comment', '{"name": "x" /* hi */}'],
  ['two documents', '{}{}'],
  ['BOM then object', '\uFEFF{}'],
];

/** JSON documents that are valid JSON but not an object. */
export const nonObjects: Array<[string, unknown]> = [
  ['null', null],
  ['array', []],
  ['number', 42],
  ['string', 'experiments'],
  ['boolean', true],
];

/** Values of every JSON type, to put where another type belongs. */
export const jsonTypes: Array<[string, unknown]> = [
  ['number', 1],
  ['boolean', true],
  ['null', null],
  ['array', ['x']],
  ['object', { x: 1 }],
  ['string', 'x'],
];

/** A JSON text nested `depth` arrays deep, built without recursion. */
export const deeplyNested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A string of exactly `length` UTF-16 code units. */
export const longString = (length: number) => 'x'.repeat(length);

/** A fixed UUID that names nothing in the fixture. */
export const unknownUuid = '7f3c9a52-1d2e-4b8f-9c6a-0e5d4f3b2a19';

/** Path-segment forms of ids that cannot name anything of the caller's, each already encoded for a URL path. */
export function badIdSegments(own: string): Array<[string, string]> {
  const enc = encodeURIComponent;
  return [
    ['not a UUID', 'abc'],
    ['a number', '123'],
    ['UUID with a suffix', enc(`${own}x`)],
    ['UUID without dashes', own.replaceAll('-', '')],
    ['UUID in braces', enc(`{${own}}`)],
    ['nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['unknown UUID', unknownUuid],
    ['SQL injection', enc("' OR '1'='1")],
    ['SQL injection after the UUID', enc(`${own}' OR '1'='1`)],
    ['HTML injection', enc('<script>alert(1)</script>')],
    ['NUL after the UUID', enc(`${own}\u0000`)],
    ['unpaired surrogate (invalid UTF-8 escape)', '%ED%A0%80'],
    ['overlong UTF-8 escape', '%C0%AF'],
    ['RTL override before the UUID', enc(`\u202E${own}`)],
    ['zero-width space after the UUID', enc(`${own}\u200B`)],
    ['emoji', enc('😀')],
    ['5,000 characters', longString(5000)],
    ['dot-dot segment', '%2E%2E'],
  ];
}
