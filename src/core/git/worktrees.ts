/**
 * A worker's own git worktree: branch `switchboard/<team>/<worker>` made from the workspace's HEAD,
 * in a folder outside the workspace, with named files copied in and an optional setup command run.
 * A workspace that is not a git repository (or has no commit yet) is shared instead, with a warning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';
import { branchExists, findRepo, git, listWorktrees, samePath, type RepoInfo } from './gitCommand';
import { gitRefusal, workerBranch } from './names';
import { checkCopyName, copyNamedFiles, runSetup, setupArgv, type SetupOutcome } from './worktreeSetup';

export interface WorkerWorktreeOptions {
  /** The workspace folder: a repository, a folder inside one, or not a repository at all. */
  workspace: string;
  team: string;
  worker: string;
  /** Where the worktree goes, outside the repository (e.g. `<stateDir>/worktrees/<team>/<worker>`). */
  folder: string;
  /** Run in each new worktree: argv, or a template split like a shell would (no shell runs). */
  setup?: string | readonly string[];
  /** Paths inside the workspace copied in when they exist (like `.env`). */
  copyFiles?: readonly string[];
  /** Work on in an existing worktree or branch of this worker instead of refusing. */
  reuse?: boolean;
  env?: NodeJS.ProcessEnv;
  setupTimeoutMs?: number;
}

export interface IsolatedWorkspace {
  isolated: true;
  /** Where the worker runs: the worktree, or the workspace's subfolder inside it. */
  cwd: string;
  folder: string;
  branch: string;
  /** The commit the branch was made from (for a reused branch, where it meets HEAD). */
  baseCommit: string;
  /** The branch checked out in the workspace when the worktree was made; undefined when detached. */
  baseBranch?: string;
  repoRoot: string;
  reused: boolean;
  copied: string[];
  setup?: SetupOutcome;
}

export interface SharedWorkspace {
  isolated: false;
  cwd: string;
  warning: string;
}

export type WorkerWorkspace = IsolatedWorkspace | SharedWorkspace;

const sharing = 'so workers share the folder and may overwrite each other\'s changes. Run `git init` and commit to give each worker its own worktree.';

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(fs.realpathSync(parent), realOrResolved(child));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function realOrResolved(p: string): string {
  // The folder may not exist yet: resolve its nearest existing ancestor.
  const missing: string[] = [];
  let at = path.resolve(p);
  while (!fs.existsSync(at) && path.dirname(at) !== at) {
    missing.unshift(path.basename(at));
    at = path.dirname(at);
  }
  return path.join(fs.realpathSync(at), ...missing);
}

/** Why the workspace cannot be isolated, or undefined when it can. */
async function whyShared(workspace: string, repo: RepoInfo | undefined): Promise<string | undefined> {
  if (!repo) return `${workspace} is not a git repository, ${sharing}`;
  if (!repo.head) return `${repo.root} is a git repository without commits yet, ${sharing}`;
  const prefix = repo.prefix.replace(/\/$/, '');
  if (!prefix) return undefined;
  const tracked = await git(repo.root, ['rev-parse', '--verify', '--quiet', `HEAD:${prefix}`], { okExitCodes: [1, 128] });
  return tracked.exitCode === 0 ? undefined : `${workspace} is not in the last commit of the git repository at ${repo.root}, ${sharing}`;
}

export async function createWorkerWorktree(options: WorkerWorktreeOptions): Promise<WorkerWorkspace> {
  const branch = workerBranch(options.team, options.worker);
  const copyNames = (options.copyFiles ?? []).map(checkCopyName);
  if (options.setup !== undefined) setupArgv(options.setup);
  if (!path.isAbsolute(options.folder)) {
    throw new SwitchboardError('invalid_argument', `The worktree folder must be an absolute path, not ${JSON.stringify(options.folder)}.`);
  }
  const repo = await findRepo(options.workspace);
  const warning = await whyShared(options.workspace, repo);
  if (warning || !repo?.head) return { isolated: false, cwd: options.workspace, warning: warning ?? sharing };

  const folder = path.resolve(options.folder);
  if (isInside(folder, repo.root)) {
    throw new SwitchboardError('invalid_argument', `The worktree folder ${folder} is inside the repository ${repo.root}.`, 'Put worktrees outside the workspace, e.g. under the Switchboard state folder.');
  }
  const cwdIn = (top: string): string => path.join(top, repo.prefix.replace(/\/$/, ''));
  const made = { isolated: true as const, folder, branch, baseBranch: repo.branch, repoRoot: repo.root };
  await git(repo.root, ['worktree', 'prune']);

  const existing = (await listWorktrees(repo.root)).find((w) => samePath(w.path, folder));
  if (existing) {
    if (existing.branch !== branch || !options.reuse) {
      const on = existing.branch ? `branch ${existing.branch}` : 'a detached HEAD';
      throw gitRefusal('exists', `A worktree already exists at ${folder}, on ${on}.`, existing.branch === branch ? 'Reuse it, or remove it first.' : 'Remove it first, or choose another folder.', { folder, branch: existing.branch });
    }
    const base = await git(repo.root, ['merge-base', repo.head, branch]);
    const copied = copyNamedFiles(options.workspace, cwdIn(folder), copyNames);
    return { ...made, cwd: cwdIn(folder), baseCommit: base.stdout.trim(), reused: true, copied };
  }
  if (fs.existsSync(folder) && (!fs.statSync(folder).isDirectory() || fs.readdirSync(folder).length > 0)) {
    throw gitRefusal('exists', `${folder} already exists and is not a worktree of ${repo.root}.`, 'Choose another folder, or delete this one.', { folder });
  }
  const hadBranch = await branchExists(repo.root, branch);
  if (hadBranch && !options.reuse) {
    throw gitRefusal('exists', `The branch ${branch} already exists (from an earlier team of the same name?).`, `Choose another team name, reuse the branch, or delete it with \`git branch -D ${branch}\`.`, { branch });
  }
  fs.mkdirSync(path.dirname(folder), { recursive: true, mode: 0o700 });
  await git(repo.root, hadBranch ? ['worktree', 'add', '--quiet', folder, branch] : ['worktree', 'add', '--quiet', '-b', branch, folder, repo.head]);
  try {
    const base = hadBranch ? (await git(repo.root, ['merge-base', repo.head, branch])).stdout.trim() : repo.head;
    const copied = copyNamedFiles(options.workspace, cwdIn(folder), copyNames);
    const setup = options.setup === undefined ? undefined : await runSetup(cwdIn(folder), options.setup, options.env, options.setupTimeoutMs);
    return { ...made, cwd: cwdIn(folder), baseCommit: base, reused: hadBranch, copied, ...(setup ? { setup } : {}) };
  } catch (error) {
    // A worktree that could not be prepared is taken away again, with the branch if it was made here.
    await git(repo.root, ['worktree', 'remove', '--force', folder], { okExitCodes: [128] });
    if (!hadBranch) await git(repo.root, ['branch', '-D', branch], { okExitCodes: [1] });
    throw error;
  }
}
