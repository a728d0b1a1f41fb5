/**
 * What opencode's `run --format json` prints, which Kilo (a fork of opencode) prints the same way, and
 * the command line both take. One JSON object per line, each naming its `sessionID`: `step_start`,
 * `text` (a whole text part), `tool_use` (once the tool has finished, with its input and output),
 * `step_finish` (one model call: its tokens and cost, and why it stopped), and `error`. There is no
 * init or final line: the run ends with a `step_finish` whose reason is not `tool-calls`.
 * See test/fixtures/transcripts/opencode/NOTES.md.
 */
import type { AgentEventBody } from '../runs/types';
import { asNumber, asRecord, asString, parseJsonLine, type LineParser, type Runner, type RunnerSettings, type StartRequest } from './types';

/** A step that stopped for one of these reasons ended the run without an answer. */
const FAILED_STOPS = new Set(['error', 'content-filter']);

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  const record = asRecord(error);
  return asString(asRecord(record?.data)?.message) ?? asString(record?.message) ?? asString(record?.name) ?? JSON.stringify(error ?? 'error');
}

export function createOpencodeJsonParser(): LineParser {
  let session = '';
  let answer: string | undefined;
  const parse = (line: Record<string, unknown>, part: Record<string, unknown>): AgentEventBody[] | undefined => {
    switch (line.type) {
      case 'step_start':
      case 'reasoning':
        return [];
      case 'text': {
        const text = asString(part.text);
        if (!text) return [];
        answer = text;
        return [{ type: 'text', text }];
      }
      case 'tool_use': {
        const state = asRecord(part.state) ?? {};
        const callId = asString(part.callID);
        const events: AgentEventBody[] = [{ type: 'tool_call', name: asString(part.tool) ?? '?', callId, input: state.input }];
        if (state.status === 'completed' || state.status === 'error') {
          events.push({ type: 'tool_result', callId, output: asString(state.output) ?? errorText(state.error ?? ''), isError: state.status === 'error' });
        }
        return events;
      }
      case 'step_finish': {
        const tokens = asRecord(part.tokens) ?? {};
        const cache = asRecord(tokens.cache) ?? {};
        // A cost of 0 is what it reports for a model whose price it does not know: the price table decides then.
        const usd = asNumber(part.cost);
        const events: AgentEventBody[] = [
          { type: 'usage', inputTokens: asNumber(tokens.input) + asNumber(cache.read) + asNumber(cache.write), outputTokens: asNumber(tokens.output), ...(usd > 0 ? { usd } : {}) },
        ];
        const reason = asString(part.reason) ?? 'stop';
        if (reason === 'tool-calls') return events;
        const ok = !FAILED_STOPS.has(reason);
        events.push({ type: 'result', ok, text: answer, ...(ok ? {} : { error: `the model stopped: ${reason}` }) });
        answer = undefined;
        return events;
      }
      case 'error': {
        const message = errorText(line.error);
        return [{ type: 'error', message }, { type: 'result', ok: false, error: message }];
      }
      default:
        return undefined;
    }
  };
  return (text) => {
    const line = parseJsonLine(text);
    if (!line) return undefined;
    const sessionId = asString(line.sessionID);
    const fresh: AgentEventBody[] = sessionId && sessionId !== session ? [{ type: 'session', sessionId }] : [];
    if (sessionId) session = sessionId;
    const events = parse(line, asRecord(line.part) ?? {});
    if (events === undefined) return fresh.length > 0 ? fresh : undefined;
    return [...fresh, ...events];
  };
}

/**
 * The environment both need: `PWD` is the run's folder, since they take their project folder from
 * `$PWD` rather than from the working directory they were started in (an inherited `PWD` makes the
 * run's own folder "external", and writes there are refused).
 */
export function opencodeEnv(request: Pick<StartRequest, 'cwd'>, offline: Record<string, string>): Record<string, string> {
  return { ...offline, PWD: request.cwd };
}

/**
 * `run --format json`, then: `permissionMode` `auto` is `--auto` (every permission its config does not
 * deny is granted, shell commands included), any other value is the agent to run as (`--agent plan`);
 * the model (`provider/model`), the session to continue (`-s`), extra arguments, and the prompt after
 * `--` (so that a prompt starting with `-` stays a prompt).
 */
export function opencodeRunArgs(request: StartRequest): string[] {
  const args = ['run', '--format', 'json', ...modeAndModelArgs(request.settings)];
  if (request.resumeSessionId) args.push('-s', request.resumeSessionId);
  args.push(...request.settings.extraArgs, '--', request.prompt);
  return args;
}

/** The permission mode (`--auto`, or the agent to run as) and the model, which `run` and the interactive session both take. */
function modeAndModelArgs({ permissionMode: mode, model }: RunnerSettings): string[] {
  return [...(mode === 'auto' ? ['--auto'] : mode ? ['--agent', mode] : []), ...(model ? ['-m', model] : [])];
}

/**
 * A runner of the opencode family (opencode, and Kilo, its fork): the same command line, output and
 * steering (interrupt + `run -s <session>`); each model call's step_finish carries its tokens, and its
 * cost where the CLI knows the model's price. `offline`: what keeps it from fetching or sending on its own.
 */
export function opencodeFamilyRunner(runner: Pick<Runner, 'id' | 'displayName' | 'defaultBinary' | 'installHint'>, offline: Record<string, string>): Runner {
  return {
    ...runner,
    structured: true,
    steering: 'interrupt-resume',
    canResume: true,
    takesMcpServer: false,
    usageScope: 'turn',
    costScope: 'turn',
    reportsCost: true,
    build(request) {
      return { command: request.settings.binary, args: opencodeRunArgs(request), env: opencodeEnv(request, offline), stdin: 'ignore', initialInput: [] };
    },
    // Its terminal UI on the run's session (`-s`), as the run was set up.
    interactive: (request) => ({ command: request.settings.binary, args: [...modeAndModelArgs(request.settings), '-s', request.sessionId], env: opencodeEnv(request, offline) }),
    createParser: createOpencodeJsonParser,
  };
}
