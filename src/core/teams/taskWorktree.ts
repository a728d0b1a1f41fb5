/**
 * What happens in a worker's worktree around one of its tasks: before, the commits its dependencies
 * (and theirs) ended with are merged in and the start commit noted; after, what the worker left is
 * committed as the task's work (done) or put aside in a stash (not done).
 */
import type { Task } from '../dag/task';
import { bringIn, type WorkToBringIn } from '../git/bringIn';
import { commitLeftovers, stashLeftovers } from '../git/commitLeftovers';
import { git } from '../git/gitCommand';
import type { TeamRecord, TeamWorker } from './teamStore';

const head = async (cwd: string): Promise<string> => (await git(cwd, ['rev-parse', 'HEAD'])).stdout.trim();

/**
 * The commits `task` builds on that another worker made: what each of its dependencies, and theirs
 * in turn, ended with (a dependency that changed nothing passes on what it built on).
 */
function workBefore(tasks: readonly Task[], task: Task, worker: string): WorkToBringIn[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const seen = new Set<string>();
  const work: WorkToBringIn[] = [];
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const dep = byId.get(id);
    if (!dep) return;
    dep.dependsOn.forEach(visit);
    if (dep.worker !== worker && dep.result?.commit) work.push({ rev: dep.result.commit, label: `${dep.id} of ${dep.worker}` });
  };
  task.dependsOn.forEach(visit);
  return work;
}

/** Brings in the work `task` builds on and notes where the task starts from. */
export async function prepareTask(team: TeamRecord, task: Task, worker: TeamWorker): Promise<void> {
  await bringIn(worker.cwd, workBefore(team.tasks, task, worker.name), `the work ${task.id} depends on`);
  task.startCommit = await head(worker.cwd);
}

/** Commits what the worker left, and says what the task changed since it began. */
export async function recordTaskWork(team: TeamRecord, task: Task, worker: TeamWorker): Promise<NonNullable<Task['result']>> {
  const since = task.startCommit!;
  const message = `${task.id}: ${task.title}\n\nCommitted by Switchboard: worker ${worker.name} left these changes uncommitted when its task ended.`;
  const end = (await commitLeftovers(worker.cwd, message, team.copyFiles, worker.folder)) ?? (await head(worker.cwd));
  const changed = (await git(worker.cwd, ['diff', '--name-only', '-z', '--no-ext-diff', since, end, '--'])).stdout.split('\0').filter(Boolean);
  return { ...(end !== since ? { commit: end } : {}), changedFiles: changed };
}

/** Puts aside what an attempt that did not succeed left; says where, or undefined when it left nothing. */
export async function putAsideLeftovers(team: TeamRecord, task: Task, worker: TeamWorker, ended: string): Promise<string | undefined> {
  const stashed = await stashLeftovers(worker.cwd, `switchboard: ${task.id} attempt ${task.attempts} (${ended}) left this`, team.copyFiles, worker.folder);
  return stashed ? `what it left uncommitted was put in a stash: see \`git stash list\` in ${team.workspace}` : undefined;
}
