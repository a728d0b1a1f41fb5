/** How the CLI prints: aligned tables for people, JSON for programs, errors with what to do. */
import { SwitchboardError, errorMessage } from '../core/errors';

export type Format = 'table' | 'json';

export class UsageError extends Error {}

export interface Out {
  format: Format;
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processOut = (format: Format): Out => ({
  format,
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
});

export { table } from '../core/render';

export function keyValues(pairs: [string, string | number | undefined][]): string {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== '');
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n');
}

export function printJson(out: Out, value: unknown): void {
  out.stdout(JSON.stringify(value, null, 2));
}

/** Prints an error the way the chosen format wants it; returns the exit code. */
export function reportError(out: Out, error: unknown): number {
  const usage = error instanceof UsageError;
  if (out.format === 'json') {
    const body = error instanceof SwitchboardError
      ? { code: error.code, message: error.message, hint: error.hint, ...(error.details ? { details: error.details } : {}) }
      : { code: usage ? 'usage' : 'internal', message: errorMessage(error) };
    printJson(out, { error: body });
  }
  out.stderr(`switchboard: ${errorMessage(error)}`);
  if (!(error instanceof SwitchboardError) && !usage && error instanceof Error && process.env.SWITCHBOARD_DEBUG) out.stderr(error.stack ?? '');
  return usage ? 2 : 1;
}
