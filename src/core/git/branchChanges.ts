/**
 * What a worker branch did since it left the base: the files it changed against the merge base
 * (`git diff --name-status base...branch`) and how many commits it holds that the base does not.
 */
import { git, resolveCommit, splitNul } from './gitCommand';
import { gitRefusal } from './names';

/** git's letter: Added, Modified, Deleted, Renamed, Copied, Type changed, Unmerged, unknown (X). */
export type ChangeStatus = 'A' | 'M' | 'D' | 'R' | 'C' | 'T' | 'U' | 'X';

export interface ChangedFile {
  status: ChangeStatus;
  path: string;
  /** Where a renamed or copied file came from. */
  oldPath?: string;
}

export interface BranchChanges {
  branch: string;
  base: string;
  mergeBase: string;
  /** Commits on the branch that the base does not have. */
  commits: number;
  files: ChangedFile[];
}

/** Parses `git diff --name-status -z`: status NUL path NUL, or for renames and copies status NUL old NUL new NUL. */
export function parseNameStatus(stdout: string): ChangedFile[] {
  const parts = splitNul(stdout);
  const files: ChangedFile[] = [];
  for (let i = 0; i < parts.length; ) {
    const status = (parts[i++] ?? 'X').charAt(0) as ChangeStatus;
    if (status === 'R' || status === 'C') {
      const oldPath = parts[i++] ?? '';
      files.push({ status, path: parts[i++] ?? '', oldPath });
    } else {
      files.push({ status, path: parts[i++] ?? '' });
    }
  }
  return files;
}

export async function branchChanges(repo: string, branch: string, base: string): Promise<BranchChanges> {
  for (const rev of [branch, base]) {
    if (!(await resolveCommit(repo, rev))) throw gitRefusal('unknown_branch', `${JSON.stringify(rev)} is not a branch or commit of ${repo}.`, 'Name an existing branch.', { rev });
  }
  const mergeBase = await git(repo, ['merge-base', base, branch], { okExitCodes: [1] });
  if (mergeBase.exitCode !== 0) throw gitRefusal('no_base', `${branch} and ${base} have no commit in common.`, 'Compare branches made from the same repository history.', { branch, base });
  const diff = await git(repo, ['diff', '--name-status', '-z', '-M', '--no-ext-diff', `${base}...${branch}`, '--']);
  const count = await git(repo, ['rev-list', '--count', `${base}..${branch}`, '--']);
  return { branch, base, mergeBase: mergeBase.stdout.trim(), commits: Number(count.stdout.trim()), files: parseNameStatus(diff.stdout) };
}
