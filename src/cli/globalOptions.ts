/**
 * The CLI's global options: given before or after the command, each with a value (`--format json`,
 * `--format=json`). One parser for the CLI (main.ts) and for the bin (cliBin.ts), which needs the
 * command's name before it loads the bundle: so this module imports nothing.
 */
export const GLOBAL_OPTIONS = ['--format'] as const;

export type GlobalOption = (typeof GLOBAL_OPTIONS)[number];

/** Pulls the global options out of argv wherever they appear (before a `--`); what is left keeps its order. A missing value is ''. */
export function takeGlobalOptions(argv: readonly string[]): { values: Partial<Record<GlobalOption, string>>; rest: string[] } {
  const values: Partial<Record<GlobalOption, string>> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const option = GLOBAL_OPTIONS.find((name) => arg === name || arg.startsWith(`${name}=`));
    if (!option) rest.push(arg);
    else values[option] = arg === option ? (argv[++i] ?? '') : arg.slice(option.length + 1);
  }
  return { values, rest };
}
