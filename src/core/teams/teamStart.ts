/**
 * How a team comes to be run by this process: a new team's record (its name checked and free, its
 * workers made from the spec, each in its own worktree on its own branch or in the shared folder when
 * the workspace is not a git repository, none left behind when one cannot be made; its tasks given,
 * or left to a planner), or, for a team taken over, its tasks matched with the runs that went on.
 */
import { tasksFromSpecs } from '../dag/graph';
import { SwitchboardError } from '../errors';
import { removeWorkerWorktree } from '../git/worktreeRemoval';
import { createWorkerWorktree } from '../git/worktrees';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import { isFinished, type RunRecord } from '../runs/types';
import { StateMap } from '../state/stateMap';
import { checkTaskRoles, mergeRoles } from './roles';
import { parseTeamSpec } from './spec';
import type { TeamContext, TeamOptions } from './teamContext';
import { checkTeamName, isActiveTeam, listTeams, loadTeam, type TeamRecord } from './teamStore';

/** A new team's record, its workers' worktrees made; `planning` when a planner is to make its tasks. */
export async function newTeamRecord(context: TeamContext, options: TeamOptions): Promise<TeamRecord> {
  const { registry } = context;
  const name = checkTeamName(options.name);
  // A name is one team's for good: its record, branches, runs and discoveries go by it, and a new team
  // of that name would have replaced its record (in a folder without git, where no branch stood in the way).
  if (listTeams(registry.stateDir).includes(name)) {
    const existing = loadTeam(registry.stateDir, name);
    if (isActiveTeam(existing.status) && isSameProcessAlive(existing.owner)) throw new SwitchboardError('name_taken', `Team ${name} is running.`, 'Choose another name, or shut it down first.');
    if (isActiveTeam(existing.status)) throw new SwitchboardError('name_taken', `Team ${name} is ${existing.status}, and the process that ran it has exited.`, `Take it over with \`switchboard team resume ${name}\`, or choose another name for a new team.`);
    throw new SwitchboardError('name_taken', `There is a team ${name} already (${existing.status}); its record, branches and discoveries go by that name.`, 'Choose another name for a new team.');
  }
  const config = registry.config.teams;
  const roles = mergeRoles({ ...config.roles, ...options.roles });
  const workerSpecs = parseTeamSpec(options.spec, roles);
  const planned = !options.tasks?.length && workerSpecs.some((w) => w.role === 'planner');
  const tasks = planned ? [] : tasksFromSpecs(options.tasks?.length ? options.tasks : [{ title: options.task }]);
  checkTaskRoles(tasks, workerSpecs);
  const owner = { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' };
  const copyFiles = options.copyFiles ?? config.copyFiles;
  const used = Object.fromEntries(workerSpecs.map((w) => [w.role, roles[w.role]!]));
  const maxAttempts = options.maxAttempts ?? config.maxAttempts;
  const record: TeamRecord = { version: 1, name, spec: options.spec, task: options.task, workspace: options.workspace, status: planned ? 'planning' : 'running', workers: [], tasks, createdAt: Date.now(), owner, ...(context.ownerSocket ? { ownerSocket: context.ownerSocket } : {}), copyFiles, roles: used, maxAttempts, ...(options.goal ? { goal: options.goal } : {}) };
  try {
    for (const worker of workerSpecs) {
      const place = await createWorkerWorktree({
        workspace: options.workspace,
        team: name,
        worker: worker.name,
        folder: new StateMap(registry.stateDir).worktree(name, worker.name),
        setup: options.setup ?? config.setup,
        copyFiles,
      });
      if (place.isolated) {
        record.workers.push({ ...worker, cwd: place.cwd, branch: place.branch, folder: place.folder });
        record.base ??= place.baseBranch ?? place.baseCommit;
      } else {
        record.workers.push({ ...worker, cwd: place.cwd });
        record.warning = place.warning;
      }
    }
  } catch (error) {
    // A team that could not be made leaves no worktrees or branches behind.
    for (const worker of record.workers.filter((w) => w.folder)) {
      await removeWorkerWorktree({ workspace: options.workspace, team: name, worker: worker.name, folder: worker.folder!, force: true, deleteBranch: true }).catch(() => undefined);
    }
    throw error;
  }
  return record;
}

/**
 * Matches a taken-over team's running tasks with their runs: a task whose start was cut short goes
 * back in line; the runs that ended meanwhile are returned, for their ends to be taken.
 */
export function takeOverTasks(record: TeamRecord, runs: RunRecord[]): RunRecord[] {
  const ended: RunRecord[] = [];
  for (const task of record.tasks.filter((t) => t.status === 'running')) {
    // Its run: the one recorded, or one started just before the process went (same task, this attempt).
    const run = runs.find((r) => r.id === task.runId) ?? (task.runId ? undefined : runs.filter((r) => r.links.task === task.id && r.createdAt >= (task.startedAt ?? 0) - 1000).at(-1));
    if (!run) Object.assign(task, { status: 'pending', attempts: Math.max(0, task.attempts - 1), worker: undefined, reason: 'its start was cut short; started again' });
    else {
      task.runId = run.id;
      if (isFinished(run.status)) ended.push(run);
    }
  }
  return ended;
}
