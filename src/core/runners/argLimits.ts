/**
 * Command lines have limits, and records must stay small. Linux takes at most 128 KiB in one
 * argument and about 2 MiB for all of them with the environment: a prompt a CLI takes as an argument
 * is refused past that with what to do, rather than failing with E2BIG. What a record keeps of a
 * command line is clipped, whatever the prompt's size.
 */
import { SwitchboardError } from '../errors';
import type { Runner, SpawnSpec } from './types';

/** Linux's MAX_ARG_STRLEN (32 pages), less the terminating NUL. */
export const MAX_ARG_BYTES = 128 * 1024 - 1;
/** Under the usual ARG_MAX of 2 MiB, leaving room for the environment. */
export const MAX_ARGS_BYTES = 1536 * 1024;
/** How much of one argument a record keeps. */
const KEPT_CHARS = 2000;

const kib = (bytes: number): string => `${Math.ceil(bytes / 1024)} KiB`;

export function checkArgLengths(runner: Pick<Runner, 'displayName'>, spec: Pick<SpawnSpec, 'args'>): void {
  const sizes = spec.args.map((a) => Buffer.byteLength(a));
  const longest = Math.max(0, ...sizes);
  const total = sizes.reduce((a, b) => a + b + 1, 0);
  const hint = 'Put the long part in a file in the folder and ask the agent to read it (or use a runner that reads the prompt from stdin, such as claude or qwen).';
  if (longest > MAX_ARG_BYTES) {
    throw new SwitchboardError('invalid_argument', `The prompt is too long for ${runner.displayName}, which takes it as one command-line argument: ${kib(longest)}, over the ${kib(MAX_ARG_BYTES + 1)} the system allows.`, hint);
  }
  if (total > MAX_ARGS_BYTES) {
    throw new SwitchboardError('invalid_argument', `The command line of ${runner.displayName} would be ${kib(total)}, over the ${kib(MAX_ARGS_BYTES)} the system allows with the environment.`, hint);
  }
}

/** A command line as a record keeps it: each long argument clipped, saying how much was left out. */
export function clipArgs(args: readonly string[]): string[] {
  return args.map((a) => (a.length > KEPT_CHARS ? `${a.slice(0, KEPT_CHARS)}… [${a.length - KEPT_CHARS} more characters]` : a));
}

/** An error message that may embed a command line, clipped likewise. */
export const clipMessage = (text: string): string => (text.length > KEPT_CHARS ? `${text.slice(0, KEPT_CHARS)}… [${text.length - KEPT_CHARS} more characters]` : text);
