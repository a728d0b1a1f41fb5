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
import type { Runner } from './types';

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
