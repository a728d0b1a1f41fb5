/** Every runner Switchboard knows, by id. */
import { SwitchboardError } from '../errors';
import { claudeRunner } from './claude';
import { clineRunner } from './cline';
import { codexRunner } from './codex';
import { copilotRunner } from './copilot';
import { customRunner } from './custom';
import { geminiRunner } from './gemini';
import { kiloRunner } from './kilo';
import { opencodeRunner } from './opencode';
import { qwenRunner } from './qwen';
import { copilotAcpRunner, geminiAcpRunner, opencodeAcpRunner } from './acpRunners';
import { codexAppServerRunner } from './codexAppServer';
import type { LiveProtocol, Runner, RunnerProtocol } from './types';

export const RUNNERS: readonly Runner[] = [
  claudeRunner,
  codexRunner,
  geminiRunner,
  qwenRunner,
  opencodeRunner,
  kiloRunner,
  copilotRunner,
  clineRunner,
  customRunner,
];
export const RUNNER_IDS = RUNNERS.map((r) => r.id);

/**
 * The runners that also speak a live protocol, by id: its name (ACP, or Codex's app-server), their
 * variant, and whether a run uses it when its settings name no protocol. Gemini CLI's ACP is better for
 * a new session (live steering, approvals, a clean cancel; the same tokens), but its `session/load`
 * (0.61) does not always find a session that is on disk: a run that resumes one uses its one-shot JSON
 * (`--resume`), unless the settings say `acp`. opencode's and Kilo's report only the last model call's
 * tokens of each prompt, so their one-shot JSON stays the default. The Copilot CLI's ACP reports the same
 * tokens as its JSON mode (at the end of each prompt rather than only at the process's end) and
 * resumes, so it is its default. Codex's app-server does all `codex exec --json` does (the same tokens, resume) and steers
 * live, cancels cleanly and asks for approvals, so it is Codex's default.
 */
const LIVE: Readonly<Record<string, { protocol: LiveProtocol; runner: Runner; byDefault: boolean; resumesBadly?: true }>> = {
  gemini: { protocol: 'acp', runner: geminiAcpRunner(geminiRunner), byDefault: true, resumesBadly: true },
  opencode: { protocol: 'acp', runner: opencodeAcpRunner(opencodeRunner), byDefault: false },
  kilo: { protocol: 'acp', runner: opencodeAcpRunner(kiloRunner), byDefault: false },
  copilot: { protocol: 'acp', runner: copilotAcpRunner(copilotRunner), byDefault: true },
  codex: { protocol: 'app-server', runner: codexAppServerRunner(codexRunner), byDefault: true },
};

/** The runner ids that speak a live protocol as well as one-shot JSON (`runners.<id>.protocol`). */
export const PROTOCOL_RUNNER_IDS = Object.keys(LIVE);
/** The runner ids that speak ACP as well as one-shot JSON. */
export const ACP_RUNNER_IDS = PROTOCOL_RUNNER_IDS.filter((id) => LIVE[id]!.protocol === 'acp');
/** Those of them that speak ACP when their settings name no protocol. */
export const ACP_DEFAULT_RUNNER_IDS = ACP_RUNNER_IDS.filter((id) => LIVE[id]!.byDefault);

/** The live protocol a runner speaks besides one-shot JSON, if any. */
export function liveProtocolOf(id: string): LiveProtocol | undefined {
  return LIVE[id]?.protocol;
}

/** The protocol a run of this runner uses with this setting (`resuming`: it continues a session): its live one or `json` where it has both, else undefined. */
export function protocolFor(id: string, setting: RunnerProtocol | undefined, resuming = false): RunnerProtocol | undefined {
  const live = LIVE[id];
  if (!live) return undefined;
  if (setting && setting !== 'json' && setting !== live.protocol) {
    throw new SwitchboardError('invalid_argument', `The ${id} runner does not speak "${setting}".`, `Set runners.${id}.protocol to "${live.protocol}" or "json".`);
  }
  return setting ?? (live.byDefault && !(resuming && live.resumesBadly) ? live.protocol : 'json');
}

/** The runner that runs with this protocol (a record's `protocol`; absent: the runner's one-shot JSON runner). */
export function runnerFor(id: string, protocol: RunnerProtocol | undefined): Runner {
  const live = LIVE[id];
  return live && protocol === live.protocol ? live.runner : getRunner(id);
}

/** The runner with this id, if there is one (a record may name a runner this version does not know). */
export function findRunner(id: string): Runner | undefined {
  return RUNNERS.find((r) => r.id === id);
}

export function getRunner(id: string): Runner {
  const runner = findRunner(id);
  if (!runner) {
    throw new SwitchboardError('unknown_runner', `Unknown runner "${id}".`, `Choose one of: ${RUNNER_IDS.join(', ')}.`);
  }
  return runner;
}

/** Why a session cannot be resumed with this runner, as the error a resume meets (Cline: only its terminal UI can); undefined when it can. */
export function resumeRefusalError(runner: Runner): SwitchboardError | undefined {
  return runner.canResume ? undefined : new SwitchboardError('invalid_argument', `The ${runner.displayName} runner cannot resume a session.`, runner.resumeRefusal);
}

/** The runner a recorded run ran with (its protocol's), if this version knows it. */
export function runnerOfRun(run: { runner: string; protocol?: RunnerProtocol }): Runner | undefined {
  return findRunner(run.runner) && runnerFor(run.runner, run.protocol);
}
