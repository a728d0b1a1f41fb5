/**
 * What a run's row in the Agents view says of the agent's own troubles, as text (free of `vscode`, so
 * that it is tested as data): its CLI retrying a failed model call, tool calls it refused, and its
 * tokens by model where the CLI reports them so.
 */
import { formatDenials, formatDuration, formatModels, formatRetrying } from '../../core/render';
import type { RunRecord } from '../../core/runs/types';

/** The row's description while its CLI retries: `retrying (429, attempt 3 of 10) · for 2m10s`; undefined otherwise. */
export function retryingDescription(run: RunRecord, now = Date.now()): string | undefined {
  if (run.status !== 'running' || !run.retrying) return undefined;
  return `${formatRetrying(run.retrying)} · for ${formatDuration(now - run.retrying.since)}`;
}

/** `2 refused`, for the description of a run whose CLI refused tool calls; undefined when none. */
export function refusedWord(run: RunRecord): string | undefined {
  return run.permissionDenials?.length ? `${run.permissionDenials.length} refused` : undefined;
}

/** The tooltip's rows about them (empty values are left out by the tooltip). */
export function troubleRows(run: RunRecord): [string, string | undefined][] {
  const models = run.usage.models && Object.keys(run.usage.models).length > 1 ? formatModels(run.usage.models) : undefined;
  const retrying = run.status === 'running' && run.retrying ? `${formatRetrying(run.retrying)}${run.retrying.message ? `: ${run.retrying.message}` : ''}` : undefined;
  return [
    ['Models', models],
    ['Retrying', retrying],
    ['Refused', run.permissionDenials?.length ? formatDenials(run.permissionDenials) : undefined],
  ];
}
