/**
 * GitHub Copilot CLI: `copilot --prompt=… --output-format json`, JSON lines; steering is interrupt +
 * `--resume <session>`. It prints no token counts: they come from the file `--usage-output-file`
 * writes just before the final `result` line. Its session id is printed only in that line, so while it
 * runs the id is found in its own session folders. See test/fixtures/transcripts/copilot/NOTES.md.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';
import type { AgentEventBody } from '../runs/types';
import { ownTempFolder } from './ownTempFolder';
import { asNumber, asRecord, asString, parseJsonLine, type LineParser, type Runner } from './types';
import { readFileTail } from '../store/fileTail';

/** Session ids go into file names: only these characters are trusted. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * The native binary to run. The npm package's `copilot` is a node loader that runs the binary of its
 * platform package as a child, without passing signals on: interrupting the loader would leave the
 * binary and its tools running. A path that is not that loader is used as it is.
 */
export function nativeCopilotBinary(binary: string): string {
  if (!path.isAbsolute(binary)) return binary;
  let real: string;
  try {
    real = fs.realpathSync(binary);
  } catch {
    return binary;
  }
  if (path.basename(real) !== 'npm-loader.js') return binary;
  const packageDir = path.dirname(real);
  const exe = process.platform === 'win32' ? 'copilot.exe' : 'copilot';
  const platforms = process.platform === 'linux' ? ['linux', 'linuxmusl'] : [process.platform];
  for (const platform of platforms) {
    const name = `copilot-${platform}-${process.arch}`;
    // A global install nests the platform package in the loader's own node_modules; a local one puts it beside.
    for (const candidate of [path.join(packageDir, 'node_modules', '@github', name, exe), path.join(packageDir, '..', name, exe)]) {
      try {
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // Not this one.
      }
    }
  }
  return binary;
}

/** The folder of the usage files: the user's own, in the temp folder (undefined when it cannot be made safely). */
const usageFolder = (create: boolean): string | undefined => ownTempFolder('switchboard-copilot-usage', create);

const STALE_USAGE_MS = 24 * 60 * 60 * 1000;

/** A run stopped before its final line leaves its usage file unread: such files go after a day. */
function removeStaleUsageFiles(dir: string): void {
  try {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name.endsWith('.json') && Date.now() - fs.statSync(file).mtimeMs > STALE_USAGE_MS) fs.rmSync(file, { force: true });
    }
  } catch {
    // Housekeeping only.
  }
}

/** Where `--usage-output-file` puts a session's usage (a running total for the session); `create` makes the folder (and tidies it). */
export function copilotUsageFile(sessionId: string, create = false): string | undefined {
  if (!SAFE_ID.test(sessionId)) return undefined;
  const dir = usageFolder(create);
  if (dir && create) removeStaleUsageFiles(dir);
  return dir ? path.join(dir, `${sessionId}.json`) : undefined;
}

/** Where the CLI keeps its state (`$COPILOT_HOME`, else `~/.copilot`), as this process's environment says. */
export function copilotHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.COPILOT_HOME?.trim() || path.join(env.HOME?.trim() || os.homedir(), '.copilot');
}

const TAIL_BYTES = 256 * 1024;

/** The session whose event log (`session-state/<id>/events.jsonl`) holds the event with this id; the newest sessions are looked at. */
export function copilotSessionOfEvent(home: string, eventId: string): string | undefined {
  const root = path.join(home, 'session-state');
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((name) => SAFE_ID.test(name));
  } catch {
    return undefined;
  }
  const newest = names
    .map((name) => {
      try {
        return { name, mtime: fs.statSync(path.join(root, name)).mtimeMs };
      } catch {
        return { name, mtime: 0 };
      }
    })
    .sort((a, b) => b.mtime - a.mtime)
    .slice(0, 20);
  const needle = `"id":"${eventId}"`;
  return newest.find(({ name }) => readFileTail(path.join(root, name, 'events.jsonl'), TAIL_BYTES).includes(needle))?.name;
}

function readUsage(file: string | undefined): { inputTokens: number; outputTokens: number; model?: string } | undefined {
  if (!file) return undefined;
  let usage: Record<string, unknown> | undefined;
  try {
    usage = asRecord(JSON.parse(fs.readFileSync(file, 'utf8')));
    fs.rmSync(file, { force: true });
  } catch {
    return undefined;
  }
  if (!usage) return undefined;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const metrics of Object.values(asRecord(usage.modelMetrics) ?? {})) {
    const tokens = asRecord(asRecord(metrics)?.usage) ?? {};
    inputTokens += asNumber(tokens.inputTokens);
    outputTokens += asNumber(tokens.outputTokens);
  }
  return { inputTokens, outputTokens, model: asString(usage.currentModel) };
}

/** How often (at most) and how many times a running CLI's session is looked up in its files. */
const LOOKUP_EVERY_MS = 200;
const LOOKUPS = 50;

export interface CopilotParserOptions {
  /** Where the CLI keeps its sessions (for the session id while it runs). */
  home?: string;
  /** Where a session's usage file is. */
  usageFile?: (sessionId: string) => string | undefined;
}

export function createCopilotParser(options: CopilotParserOptions = {}): LineParser {
  const home = options.home ?? copilotHome();
  const usageFile = options.usageFile ?? ((sessionId: string) => copilotUsageFile(sessionId));
  let sessionId: string | undefined;
  let reported = '';
  let model: string | undefined;
  let answer: string | undefined;
  let failure: string | undefined;
  let userEvent: string | undefined;
  let lookups = 0;
  let nextLookup = 0;
  /** A session event when the id or the model is new. */
  const sessionEvent = (): AgentEventBody[] => {
    if (!sessionId) return [];
    const key = `${sessionId}/${model ?? ''}`;
    if (key === reported) return [];
    reported = key;
    return [{ type: 'session', sessionId, ...(model ? { model } : {}) }];
  };
  /** While it runs: the session folder whose log holds the prompt's event (it may be written a little after stdout). */
  const lookUpSession = (): AgentEventBody[] => {
    if (sessionId || !userEvent || lookups >= LOOKUPS || Date.now() < nextLookup) return [];
    lookups++;
    nextLookup = Date.now() + LOOKUP_EVERY_MS;
    sessionId = copilotSessionOfEvent(home, userEvent);
    return sessionEvent();
  };
  const parse = (line: Record<string, unknown>, data: Record<string, unknown>): AgentEventBody[] | undefined => {
    switch (line.type) {
      case 'user.message':
        userEvent ??= asString(line.id);
        return [];
      case 'session.tools_updated':
        model = asString(data.model) ?? model;
        return [];
      case 'assistant.message': {
        model = asString(data.model) ?? model;
        const content = asString(data.content);
        if (!content) return [];
        answer = content;
        return [{ type: 'text', text: content }];
      }
      case 'tool.execution_start':
        return [{ type: 'tool_call', name: asString(data.toolName) ?? '?', callId: asString(data.toolCallId), input: data.arguments }];
      case 'tool.execution_complete': {
        const result = asRecord(data.result);
        const error = asRecord(data.error);
        const output = asString(result?.content) ?? asString(error?.message) ?? '';
        return [{ type: 'tool_result', callId: asString(data.toolCallId), output, isError: data.success !== true }];
      }
      case 'session.error': {
        const message = asString(data.message) ?? 'the session failed';
        failure = message;
        return [{ type: 'error', message }];
      }
      case 'agent.interrupted':
      case 'abort':
        failure ??= `aborted (${asString(data.reason) ?? 'interrupted'})`;
        return [];
      case 'result': {
        const id = asString(line.sessionId);
        if (id) sessionId = id;
        const usage = sessionId ? readUsage(usageFile(sessionId)) : undefined;
        if (usage?.model) model ??= usage.model;
        const exitCode = asNumber(line.exitCode);
        const ok = exitCode === 0 && !failure;
        const events: AgentEventBody[] = [
          ...sessionEvent(),
          ...(usage ? [{ type: 'usage' as const, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }] : []),
          { type: 'result', ok, text: answer, ...(ok ? {} : { error: failure ?? `exit code ${exitCode}` }) },
        ];
        answer = undefined;
        failure = undefined;
        return events;
      }
      default:
        return typeof line.type === 'string' && /^(session|assistant|agent|model|user|tool|system|subagent|skill|hook)\./.test(line.type) ? [] : undefined;
    }
  };
  return (text) => {
    const line = parseJsonLine(text);
    if (!line) return undefined;
    const events = parse(line, asRecord(line.data) ?? {});
    if (events === undefined) return undefined;
    return line.type === 'result' ? events : [...events, ...lookUpSession()];
  };
}

/**
 * `allow-all-tools` (the default: `--allow-all-tools`, without which `-p` runs no tool), `allow-all`
 * (`--allow-all`: also any path and URL), `plan` (`--plan`: it plans; file edits are blocked), `ask`
 * (no flag: each tool use is asked of the client; over ACP only, see jsonPermissionArgs).
 */
export function permissionArgs(mode: string | undefined): string[] {
  if (!mode || mode === 'allow-all-tools') return ['--allow-all-tools'];
  if (mode === 'allow-all') return ['--allow-all'];
  if (mode === 'plan') return ['--plan', '--allow-all-tools'];
  if (mode === 'ask') return [];
  throw new SwitchboardError('invalid_argument', `The Copilot CLI's permission mode is "allow-all-tools", "allow-all", "plan" or "ask", not "${mode}".`);
}

/** The permission flags of a one-shot JSON run: `-p` without an allow flag stops at its first tool call without a word, so `ask` is refused. */
function jsonPermissionArgs(mode: string | undefined): string[] {
  if (mode === 'ask') throw new SwitchboardError('invalid_argument', 'The Copilot CLI\'s permission mode "ask" works only over ACP: in its one-shot JSON mode it stops at the first tool call without a word.', 'Set runners.copilot.protocol to "acp", or choose "allow-all-tools", "allow-all" or "plan".');
  return permissionArgs(mode);
}

export const copilotRunner: Runner = {
  id: 'copilot',
  displayName: 'GitHub Copilot CLI',
  defaultBinary: 'copilot',
  installHint: 'Install it with `npm install -g @github/copilot`, or set its path in the settings.',
  structured: true,
  steering: 'interrupt-resume',
  canResume: true,
  takesMcpServer: false,
  // The usage file holds the session's running total, earlier resumed processes included.
  usageScope: 'session',
  reportsCost: false,
  build(request) {
    const sessionId = request.resumeSessionId ?? randomUUID();
    const args = [`--prompt=${request.prompt}`, '--output-format', 'json', ...jsonPermissionArgs(request.settings.permissionMode), '--no-auto-update', '--disable-client-telemetry'];
    args.push(request.resumeSessionId ? '--resume' : '--session-id', sessionId);
    const usageFile = copilotUsageFile(sessionId, true);
    if (usageFile) args.push('--usage-output-file', usageFile);
    if (request.settings.model) args.push('--model', request.settings.model);
    args.push(...request.settings.extraArgs);
    return { command: nativeCopilotBinary(request.settings.binary), args, env: { PWD: request.cwd }, stdin: 'ignore', initialInput: [] };
  },
  // Its interactive session on the run's session (the native binary, as runs use), with the run's permissions and model.
  interactive: ({ sessionId, cwd, settings }) => ({
    command: nativeCopilotBinary(settings.binary),
    args: ['--resume', sessionId, ...permissionArgs(settings.permissionMode), '--no-auto-update', ...(settings.model ? ['--model', settings.model] : [])],
    env: { PWD: cwd },
  }),
  createParser: () => createCopilotParser(),
};
