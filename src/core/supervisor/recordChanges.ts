/**
 * What an agent's events change in its run's record besides counting them: the retry of a model
 * call it is in (until it goes on), and the tool calls it was refused.
 */
import type { AgentEventBody, RunRecord } from '../runs/types';

/** Events that say the agent went on after retrying a model call: the call got through. */
export const GOES_ON: ReadonlySet<AgentEventBody['type']> = new Set(['text', 'tool_call', 'tool_result', 'usage', 'result']);
/** The most refused tool calls a record keeps (the events have them all). */
const MAX_DENIALS = 20;

/** The retry the CLI announced, over what earlier lines of the same series said (Qwen Code names the status on another line). */
export function nextRetrying(current: RunRecord['retrying'], event: Extract<AgentEventBody, { type: 'retry' }>, maxRetries: number | undefined): RunRecord['retrying'] {
  const { type: _type, ...said } = event;
  return { ...(maxRetries !== undefined ? { of: maxRetries } : {}), ...current, ...said, since: current?.since ?? Date.now() };
}

/** The run's refused tool calls so far, each once. */
export function addDenials(known: RunRecord['permissionDenials'] = [], denials: NonNullable<RunRecord['permissionDenials']>): RunRecord['permissionDenials'] {
  const seen = new Set(known.map((d) => d.id ?? `${d.tool}\0${d.what ?? ''}`));
  const fresh = denials.filter((d) => !seen.has(d.id ?? `${d.tool}\0${d.what ?? ''}`));
  return fresh.length ? [...known, ...fresh].slice(0, MAX_DENIALS) : known;
}
