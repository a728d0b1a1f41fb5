/** How the CLI prints: aligned tables for people, JSON for programs, errors with what to do. */
import { SwitchboardError, errorMessage } from '../core/errors';
import { stderr as stderrSink, stdout as stdoutSink } from './stdio';
import { commandUsage, UsageError } from './usage';

export { UsageError, usageError } from './usage';

/** `table` (for people; `text` is the same), `json` (for programs), `md` (Markdown, where a command has it; else as `table`). */
export type Format = 'table' | 'json' | 'md';

export interface Out {
  format: Format;
  /** A line (small; the newline is added when missing). */
  stdout(text: string): void;
  stderr(text: string): void;
  /** Writes as is and resolves when stdout takes more: large outputs wait for a slow reader instead of piling up in memory. */
  write(data: string | Uint8Array): Promise<void>;
  /** Whether stdout's reader has gone (`… | head`): nothing more is written, and following can stop. */
  isClosed(): boolean;
  /** Resolves when it has. */
  closed: Promise<void>;
}

const line = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

export const processOut = (format: Format): Out => ({
  format,
  stdout: (text) => stdoutSink.put(line(text)),
  stderr: (text) => stderrSink.put(line(text)),
  write: (data) => stdoutSink.write(data),
  isClosed: () => stdoutSink.isClosed,
  closed: stdoutSink.closed,
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

/**
 * Prints an error the way the chosen format wants it (a usage error with the command's usage);
 * returns the exit code: 2 for usage errors, else 1.
 */
export function reportError(out: Out, error: unknown): number {
  const usage = error instanceof UsageError && error.command ? commandUsage(error.command) : undefined;
  if (out.format === 'json') {
    const body = error instanceof SwitchboardError
      ? { code: error.code, message: error.message, hint: error.hint, ...(error.details ? { details: error.details } : {}) }
      : { code: error instanceof UsageError ? 'usage' : 'internal', message: errorMessage(error), ...(usage ? { usage } : {}) };
    printJson(out, { error: body });
  }
  out.stderr(`switchboard: ${errorMessage(error)}`);
  if (usage) out.stderr(usage);
  if (!(error instanceof SwitchboardError) && !(error instanceof UsageError) && error instanceof Error && process.env.SWITCHBOARD_DEBUG) out.stderr(error.stack ?? '');
  return error instanceof UsageError ? 2 : 1;
}
