/**
 * Which runs Resume Session offers (in its pick and on the row's menu): every finished run with a
 * session. A run whose runner cannot resume (Cline) is offered too, and answered with why, not hidden.
 */
import { getRunner, resumeRefusalError } from '../../core/runners/runnerTable';
import { isFinished, type RunRecord } from '../../core/runs/types';

export const offersResume = (run: RunRecord): boolean => isFinished(run.status) && !!run.sessionId;

/** Refuses to resume this run's session, saying why, when its runner cannot (an unknown runner is refused by name). */
export function refuseUnresumable(run: RunRecord): void {
  const refusal = resumeRefusalError(getRunner(run.runner));
  if (refusal) throw refusal;
}
