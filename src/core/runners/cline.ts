/**
 * Cline CLI: `cline --json --data-dir <its data folder> -- "…"`, JSON lines. It cannot be steered or
 * resumed without its terminal UI. `--data-dir` is always given: without it Cline starts a hub daemon
 * that outlives the run. Its session id is not in its output: it is read from its own log, where the
 * agent id of the `agent_start` line sits beside the session id. See test/fixtures/transcripts/cline/NOTES.md.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';
import type { AgentEventBody } from '../runs/types';
import { asNumber, asRecord, asString, parseJsonLine, type LineParser, type Runner } from './types';
import { readFileTail } from '../store/fileTail';

export const CLINE_CANNOT_RESUME =
  'Cline continues a session only in its terminal UI (`cline --id <session>` opens it: Continue in Terminal), so Switchboard cannot resume or steer a Cline run.';

/** Cline's data folder as Cline finds it: `$CLINE_DATA_DIR`, else `data` in `$CLINE_DIR` (default `~/.cline`). */
export function clineDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.CLINE_DATA_DIR?.trim();
  if (explicit) return explicit;
  return path.join(env.CLINE_DIR?.trim() || path.join(env.HOME?.trim() || os.homedir(), '.cline'), 'data');
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const LOG_TAIL_BYTES = 1024 * 1024;

/**
 * The session of an agent, from Cline's log (`<data>/logs/cline.log`): its telemetry lines name the
 * agent id and the session (`ulid`) together. Newest lines first; undefined when not (yet) there.
 */
export function clineSessionOfAgent(dataDir: string, agentId: string): string | undefined {
  const needle = `"agentId":"${agentId}"`;
  const lines = readFileTail(path.join(dataDir, 'logs', 'cline.log'), LOG_TAIL_BYTES).split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.includes(needle)) continue;
    const ulid = /"ulid":"([^"]+)"/.exec(line)?.[1];
    if (ulid && SAFE_ID.test(ulid)) return ulid;
  }
  return undefined;
}

/** A tool's output: `{query, result, success}`, a list of those (one per command of run_commands), or `{error}`. */
function toolOutput(output: unknown): { text: string; failed: boolean } {
  if (typeof output === 'string') return { text: output, failed: false };
  const items = Array.isArray(output) ? output.map(asRecord) : [asRecord(output)];
  const texts = items.map((item) => {
    const value = item?.result ?? item?.error;
    return typeof value === 'string' ? value : JSON.stringify(value ?? item ?? '');
  });
  return { text: texts.join('\n'), failed: items.some((item) => !item || item.success === false || item.error !== undefined) };
}

function usageEvent(usage: Record<string, unknown> | undefined, withCache: boolean): AgentEventBody[] {
  if (!usage) return [];
  const cache = withCache ? asNumber(usage.cacheReadTokens) + asNumber(usage.cacheWriteTokens) : 0;
  const usd = asNumber(usage.totalCost);
  return [{ type: 'usage', inputTokens: asNumber(usage.inputTokens) + cache, outputTokens: asNumber(usage.outputTokens), ...(usd > 0 ? { usd } : {}) }];
}

/** How often (at most) and how many times the log is read for the session while the run goes on. */
const LOOKUP_EVERY_MS = 200;
const LOOKUPS = 50;

export interface ClineParserOptions {
  /** Cline's data folder, where its log names the session (default: as Cline finds it from this environment). */
  dataDir?: string;
}

export function createClineParser(options: ClineParserOptions = {}): LineParser {
  const dataDir = options.dataDir ?? clineDataDir();
  let agentId: string | undefined;
  let sessionId: string | undefined;
  let model: string | undefined;
  let reported = '';
  let lookups = 0;
  let nextLookup = 0;
  /** A session event when the id or the model is new. */
  const sessionEvent = (): AgentEventBody[] => {
    const key = `${sessionId ?? ''}/${model ?? ''}`;
    if (!sessionId || key === reported) return [];
    reported = key;
    return [{ type: 'session', sessionId, ...(model ? { model } : {}) }];
  };
  /** Its log may name the session a little after the agent_start line: looked up again on later lines (and at the end). */
  const lookUpSession = (last = false): AgentEventBody[] => {
    if (!sessionId && agentId && (last || (lookups < LOOKUPS && Date.now() >= nextLookup))) {
      lookups++;
      nextLookup = Date.now() + LOOKUP_EVERY_MS;
      sessionId = clineSessionOfAgent(dataDir, agentId);
    }
    return sessionEvent();
  };
  const agentEvent = (event: Record<string, unknown>): AgentEventBody[] => {
    const isTool = event.contentType === 'tool';
    switch (event.type) {
      case 'content_start':
        return isTool ? [{ type: 'tool_call', name: asString(event.toolName) ?? '?', callId: asString(event.toolCallId), input: event.input }] : [];
      case 'content_end': {
        if (isTool) {
          const { text, failed } = toolOutput(event.output ?? { error: event.error });
          return [{ type: 'tool_result', callId: asString(event.toolCallId), output: text, isError: failed || event.error !== undefined }];
        }
        const text = asString(event.text);
        return event.contentType === 'text' && text ? [{ type: 'text', text }] : [];
      }
      case 'usage':
        // Running totals for this process (each call's own figures come beside them).
        return usageEvent({ inputTokens: event.totalInputTokens, outputTokens: event.totalOutputTokens, totalCost: event.totalCost }, false);
      case 'error':
        return [{ type: 'error', message: asString(event.message) ?? asString(asRecord(event.error)?.message) ?? JSON.stringify(event.error ?? event) }];
      default:
        return [];
    }
  };
  const parse = (line: Record<string, unknown>): AgentEventBody[] | undefined => {
    switch (line.type) {
      case 'hook_event':
        if (line.hookEventName === 'agent_start' && line.parentAgentId === null) agentId ??= asString(line.agentId);
        return [];
      case 'agent_event':
        return agentEvent(asRecord(line.event) ?? {});
      case 'run_start':
        model = asString(line.modelId) ?? model;
        return [];
      case 'team_event':
      case 'team_restored':
      case 'run_abort_requested':
        return [];
      case 'run_result': {
        model = asString(asRecord(line.model)?.id) ?? model;
        const reason = asString(line.finishReason) ?? 'unknown';
        const ok = reason === 'completed';
        return [
          ...lookUpSession(true),
          // The aggregate counts the agents it started too.
          ...usageEvent(asRecord(line.aggregateUsage) ?? asRecord(line.usage), true),
          { type: 'result', ok, text: asString(line.text), ...(ok ? {} : { error: `the run ended: ${reason}` }) },
        ];
      }
      case 'run_aborted':
        return [{ type: 'result', ok: false, error: asString(line.message) ?? `aborted (${asString(line.reason) ?? 'unknown'})` }];
      case 'error':
        // Printed on stderr after a failed run_result.
        return [{ type: 'error', message: asString(line.message) ?? JSON.stringify(line) }];
      default:
        return undefined;
    }
  };
  return (text) => {
    const line = parseJsonLine(text);
    if (!line) return undefined;
    const events = parse(line);
    if (events === undefined) return undefined;
    return line.type === 'run_result' ? events : [...events, ...lookUpSession()];
  };
}

function hasOption(args: string[], name: string): boolean {
  return args.some((arg) => arg === name || arg.startsWith(`${name}=`));
}

/** The data folder a run was given: the one in its extra arguments, else Cline's own (where its sessions are). */
function dataDirArgs(extraArgs: string[]): string[] {
  const i = extraArgs.findIndex((arg) => arg === '--data-dir' || arg.startsWith('--data-dir='));
  if (i < 0) return ['--data-dir', clineDataDir()];
  return extraArgs[i] === '--data-dir' ? extraArgs.slice(i, i + 2) : [extraArgs[i]!];
}

export const clineRunner: Runner = {
  id: 'cline',
  displayName: 'Cline',
  defaultBinary: 'cline',
  installHint: 'Install it with `npm install -g cline` (then `cline auth` to choose a provider), or set its path in the settings.',
  structured: true,
  steering: 'none',
  canResume: false,
  resumeRefusal: CLINE_CANNOT_RESUME,
  takesMcpServer: false,
  usageScope: 'process',
  costScope: 'process',
  reportsCost: true,
  build(request) {
    if (request.resumeSessionId) throw new SwitchboardError('invalid_argument', CLINE_CANNOT_RESUME);
    const { extraArgs, model, permissionMode } = request.settings;
    const args = ['--json'];
    if (!hasOption(extraArgs, '--data-dir')) args.push(...dataDirArgs(extraArgs));
    if (permissionMode === 'plan') args.push('--plan');
    else if (permissionMode && permissionMode !== 'act') {
      throw new SwitchboardError('invalid_argument', `Cline's permission mode is "act" or "plan", not "${permissionMode}".`);
    }
    if (model) args.push('-m', model);
    args.push(...extraArgs, '--', request.prompt);
    return { command: request.settings.binary, args, env: { PWD: request.cwd }, stdin: 'ignore', initialInput: [] };
  },
  // Its terminal UI on the run's session (`--id`), in the run's data folder and mode, with its model.
  interactive: ({ sessionId, cwd, settings }) => ({
    command: settings.binary,
    args: ['--id', sessionId, ...dataDirArgs(settings.extraArgs), ...(settings.permissionMode === 'plan' ? ['--plan'] : []), ...(settings.model ? ['-m', settings.model] : [])],
    env: { PWD: cwd },
  }),
  createParser: () => createClineParser(),
};
