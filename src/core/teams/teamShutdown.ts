/**
 * A team's shutdown: its tasks cancelled first (so that the runs' ends are not taken for failures to
 * retry), the starts under way let finish, then every run interrupted so that its agent may leave its
 * work in order, waited for up to a grace time, and killed if still going (at once when forced). A
 * team whose work was cut short ends `interrupted`, one that had nothing going `shutdown`.
 */
import type { RunRegistry } from '../registry/registry';
import { isFinished } from '../runs/types';
import { cancelUnfinished, isActiveTeam, type TeamRecord, type TeamStatus } from './teamStore';

/** How long a shutdown waits for interrupted runs to end before it kills them. */
const SHUTDOWN_GRACE_MS = 10_000;

/** What a shutdown stops: the team's record and runs, and how the team is halted, saved and ended. */
export interface StoppingTeam {
  readonly record: TeamRecord;
  readonly registry: RunRegistry;
  /** Stops handing out tasks; resolves once the starts under way (the planner's too) are through. */
  halt(): Promise<unknown>;
  save(): void;
  finish(status: TeamStatus): void;
  /** Whether a forced stop was asked since this one began (a second Ctrl-C while it waits). */
  forced(): boolean;
}

/** Interrupts every run of the team, waits up to `graceMs` (10 s), then kills what is left (force: at once). */
export async function stopTeam(team: StoppingTeam, options: { force?: boolean; graceMs?: number }): Promise<TeamRecord> {
  const { record, registry } = team;
  if (!isActiveTeam(record.status)) return record;
  const wasPlanning = record.status === 'planning';
  // Work cut short makes the team interrupted, even when a forced stop has ended its runs before they are looked at below.
  // A task's run still being started is not in the registry yet (it is added once its agent runs), but its task runs already.
  const cutShort = record.tasks.some((t) => t.status === 'running') || activeTeamRuns(registry, record.name).length > 0;
  // Settled first, so that the runs' ends below are not taken for failures to retry.
  record.status = 'running';
  cancelUnfinished(record.tasks);
  team.save();
  // Starts under way finish first (their runs are then in the registry, to be stopped below).
  await team.halt();
  const running = activeTeamRuns(registry, record.name);
  // A force asked while the starts were awaited found those runs not yet in the registry: it holds for them now.
  const force = options.force || team.forced();
  if (!force) {
    // Interrupted first: an agent ends its turn and may leave its work in order. A run still in
    // its pool's line has nothing to interrupt: it is taken out of the line below.
    const started = running.filter((id) => registry.resolve(id).status === 'running');
    for (const runId of started) await registry.interrupt(runId, `team ${record.name} shutdown`).catch(() => undefined);
    await Promise.all(started.map((runId) => registry.wait(runId, options.graceMs ?? SHUTDOWN_GRACE_MS)));
  }
  const killed = await killTeamRuns(registry, record.name, force || team.forced());
  await Promise.all(killed.map((runId) => registry.wait(runId, registry.config.killGraceMs + 5_000)));
  team.finish(cutShort || running.length > 0 || wasPlanning ? 'interrupted' : 'shutdown');
  return record;
}

/** The runs of team `name` that have not ended. */
function activeTeamRuns(registry: RunRegistry, name: string): string[] {
  return registry.list({ team: name }).filter((r) => !isFinished(r.status)).map((r) => r.id);
}

/** Stops every run of team `name` that has not ended; resolves with their ids. */
export async function killTeamRuns(registry: RunRegistry, name: string, force: boolean): Promise<string[]> {
  const running = activeTeamRuns(registry, name);
  const source = `team ${name} shutdown`;
  for (const runId of running) await registry.kill(runId, { source, force }).catch(() => undefined);
  return running;
}
