/**
 * The mark every process of a run carries: the agent is started with its run's id in the
 * environment, and whatever it starts inherits it — tools, their daemons that leave the session,
 * an MCP client's requests (as the `X-Switchboard-Run` header). Kills find stray processes by it.
 */
import type { RunMarker } from '../proc/killTree';

/** The variable that tells every agent its run's id (its MCP configuration sends it as a header). */
export const RUN_ID_ENV = 'SWITCHBOARD_RUN_ID';

export function runMarker(runId: string): RunMarker {
  return { name: RUN_ID_ENV, value: runId };
}

/** `env` without a run's mark: for processes that serve many runs (supervisor hosts) and must never be taken for one run's. */
export function unmarked(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { [RUN_ID_ENV]: _mark, ...rest } = env;
  return rest;
}
