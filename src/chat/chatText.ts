/**
 * Text for the chat panel's answers: what agents wrote shown as text, never as markdown (every
 * punctuation character escaped, lines kept), pre-formatted blocks fenced so their own backticks
 * cannot end them, and the help. Free of `vscode` so it tests in plain Node.
 */
import { CHAT_COMMANDS } from './chatCommands';
import { plainText } from '../core/terminalText';

/** Markdown that renders as exactly `text`: every ASCII punctuation character escaped, each line break kept. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`).replace(/^( +)/, (s) => '&nbsp;'.repeat(s.length)))
    .join('  \n');
}

/** A fenced code block holding `text` as is: the fence is longer than any run of backticks inside. */
export function fenced(text: string, language = 'text'): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}\n`;
}

/** Lines of an agent's output as markdown: escaped text without the terminal's colour codes, one line each; blank lines dropped. */
export function outputMarkdown(lines: readonly string[]): string {
  const kept = lines.map(plainText).filter((l) => l.trim() !== '');
  return kept.length ? `${kept.map(escapeMarkdown).join('  \n')}  \n` : '';
}

/** What the model answering free text is told first (the panel's model, the terminal's orchestrator agent): where it works, and what its tools are called there. */
export function freeInstructions(where: string, tools: string): string {
  return [
    `You are Switchboard, the control plane for coding agent CLIs ${where}.`,
    `Use ${tools} to start, watch, steer and stop agents, teams and goals; run_agent returns at once, so follow a run with wait_agent or get_agent_status before you report its outcome.`,
    'Say plainly what you did, with the run ids. Never invent results.',
  ].join(' ');
}

/** How a goal gets gates of one's own, in the panel and in a terminal. */
export const PANEL_OWN_GATES = 'New Goal… lets you add some';
export const TERMINAL_OWN_GATES = 'switchboard goal create --gate "name=command" lets you give some';

/** What free text does in the chat panel. */
export const PANEL_FREE_TEXT = 'Without a command, ask in your own words ("run codex and claude on this bug and tell me which one made the tests pass"): the model you picked answers, using Switchboard\'s tools.';
export const NO_MODEL_TEXT = 'No language model answered here, so free questions cannot be answered: type one of the commands above.';

/** The help, one paragraph per line: what @switchboard does, each command, and `free`: what free text does here. */
export function helpText(free: string): string[] {
  return ['@switchboard starts, watches, steers and stops coding agents, teams and goals.', ...CHAT_COMMANDS.map((c) => `${c.usage}: ${c.description}`), free];
}
