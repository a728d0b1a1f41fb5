/** Every runner Switchboard knows, by id. */
import { SwitchboardError } from '../errors';
import { claudeRunner } from './claude';
import { codexRunner } from './codex';
import { customRunner } from './custom';
import { geminiRunner } from './gemini';
import { qwenRunner } from './qwen';
import type { Runner } from './types';

export const RUNNERS: readonly Runner[] = [claudeRunner, codexRunner, geminiRunner, qwenRunner, customRunner];
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
