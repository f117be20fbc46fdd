/** A line of a JavaScript stack trace: user errors must never print one. */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

/** oclif wraps error messages to the terminal width (`›` continuation lines); the words are what matter. */
export function unwrap(stderr: string): string {
  return stderr.replace(/\s*\n\s*›\s*/g, ' ');
}
