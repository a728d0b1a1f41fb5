/** Usage texts made from the command docs: a command's help (also printed with its usage errors) and the top-level help. */
import { version } from '../../package.json';
import { DOCS, TOP_LEVEL, type CommandDoc } from './commandDocs';

export const VERSION: string = version;

/** Bad command-line input (exit 2); `command` names the doc printed with it (`team status`). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A usage error of `command` (a DOCS key): `switchboard: <command>: <problem>`, then its usage. */
export const usageError = (command: string, problem: string): UsageError => new UsageError(`${command}: ${problem}`, command);

/** A command with subcommands (`team`, `pools`, `dag`) given none it has. */
export function unknownSubcommand(group: string, action: string | undefined): UsageError {
  const subs = DOCS[group]?.subcommands?.map((s) => s.slice(group.length + 1)) ?? [];
  if (!action) return usageError(group, `which ${group} command? ${subs.join(', ')}`);
  return usageError(group, action.startsWith('-') ? `unknown option ${action}` : `unknown ${group} command "${action}"`);
}

/** The one run id a command takes (a usage error of `command` otherwise). */
export function oneId(positionals: string[], command: string): string {
  if (positionals.length === 0) throw usageError(command, 'which run? give its id or name');
  if (positionals.length > 1) throw usageError(command, `one run at a time, not ${positionals.length} (${positionals.join(' ')})`);
  return positionals[0]!;
}

/** The doc key a command line is about: `team status` for `team status x`, `run` for `run claude …`. */
export function commandKey(name: string, args: string[]): string {
  const sub = `${name} ${args[0] ?? ''}`;
  return DOCS[sub] ? sub : name;
}

const forms = (key: string): CommandDoc['forms'] => {
  const doc = DOCS[key];
  return doc ? [...doc.forms, ...(doc.subcommands ?? []).flatMap(forms)] : [];
};

/** A command's usage: every form with what it does, then the details. Undefined for an unknown key. */
export function commandUsage(key: string): string | undefined {
  const doc = DOCS[key];
  if (!doc) return undefined;
  const lines = forms(key).flatMap(([synopsis, summary], i) => [`${i === 0 ? 'usage: ' : '       '}switchboard ${synopsis}`, `         ${summary}`]);
  return [...lines, ...(doc.details ? ['', doc.details] : [])].join('\n');
}

const COLUMN = 30;

export function topLevelHelp(): string {
  const entries = TOP_LEVEL.flatMap(forms).map(([synopsis, summary]) =>
    synopsis.length <= COLUMN - 4 ? `  ${synopsis.padEnd(COLUMN - 2)}${summary}` : `  ${synopsis}\n${' '.repeat(COLUMN)}${summary}`,
  );
  return `switchboard ${VERSION} — run, watch, steer and kill CLI coding agents

usage: switchboard <command> [options] [--format table|json]
       switchboard <command> --help     the usage of a command (also -h, or switchboard help <command>)
       switchboard --version            the version (also -V, or switchboard version)

${entries.join('\n')}

<id> is a run id, its name, or a unique id prefix. State lives in $SWITCHBOARD_HOME
(or the per-user state folder); the VS Code extension shares it.`;
}
