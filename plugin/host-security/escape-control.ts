// eslint-disable-next-line no-control-regex -- control characters are what is escaped
const controls = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- as above, but a stack's own line breaks stay
const controlsButNewline = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

const escapeOne = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Text for a log line with every control character written as `\uXXXX`, so no input can forge or hide a line. */
export const escapeControl = (text: string) => text.replace(controls, escapeOne);

/**
 * A log function whose message and error carry no raw control character (an error's stack keeps its own line
 * breaks; its message, which may quote a request, is escaped whole).
 */
export function escapingLog(log: (message: string, error?: unknown) => void) {
  return (message: string, error?: unknown) => {
    if (!(error instanceof Error)) return log(escapeControl(message), typeof error === 'string' ? escapeControl(error) : error);
    // An error with nothing to escape is passed on as it is (its type and fields kept for whoever logs it).
    const clean = !new RegExp(controls.source).test(error.message) && !new RegExp(controlsButNewline.source).test(error.stack ?? '');
    if (clean) return log(escapeControl(message), error);
    const safe = new Error(escapeControl(error.message));
    safe.name = error.name;
    const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
    safe.stack = [`${error.name}: ${escapeControl(error.message)}`, ...frames].join('\n').replace(controlsButNewline, escapeOne);
    return log(escapeControl(message), safe);
  };
}
