/** How a command line is read before its command runs: the global --format option taken out, and whether it asks for help. */
import { takeGlobalOptions } from './globalOptions';
import type { Format } from './output';
import { UsageError } from './usage';

/** Pulls the global --format option out of argv wherever it appears (before a `--`: see globalOptions.ts). */
export function takeFormat(argv: string[]): { format: Format; rest: string[] } {
  const { values, rest } = takeGlobalOptions(argv);
  let format = values['--format'] ?? 'table';
  if (format === 'text') format = 'table';
  if (format !== 'table' && format !== 'json' && format !== 'md') throw new UsageError(`--format must be table (or text), json or md, not "${format}"`);
  return { format, rest };
}

/** Whether the options (before a `--`) ask for help. */
export const asksHelp = (args: string[]): boolean => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};
