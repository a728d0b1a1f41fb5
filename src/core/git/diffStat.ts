/**
 * What changed between two trees or commits: each file with its status and lines added and removed
 * (`git diff --name-status` and `--numstat`), the patch or its `--stat`, and the tree a worktree's
 * files make as they are now (uncommitted and untracked ones included), built in an index of its own
 * so that the worktree's index, which an agent may be using, is never touched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNameStatus, type ChangedFile } from './branchChanges';
import { git, splitNul } from './gitCommand';
import { tempFolder } from '../store/tempFolder';

export interface FileDiff extends ChangedFile {
  /** Lines added and removed; absent for a binary file. */
  insertions?: number;
  deletions?: number;
  binary?: boolean;
}

export interface DiffSummary {
  files: FileDiff[];
  insertions: number;
  deletions: number;
}

/** Parses `git diff --numstat -z`: `ins TAB del TAB path NUL`, or for a rename `ins TAB del TAB NUL old NUL new NUL`; `-` for binary. */
export function parseNumstat(stdout: string): Map<string, { insertions?: number; deletions?: number; binary?: boolean }> {
  const parts = splitNul(stdout);
  const stats = new Map<string, { insertions?: number; deletions?: number; binary?: boolean }>();
  for (let i = 0; i < parts.length; ) {
    const [ins = '', del = '', name = ''] = parts[i++]!.split('\t');
    const file = name === '' ? ((i++, parts[i++]) ?? '') : name;
    stats.set(file, ins === '-' ? { binary: true } : { insertions: Number(ins), deletions: Number(del) });
  }
  return stats;
}

const DIFF = ['diff', '-M', '--no-ext-diff', '--no-color'];

/** The files `to` changes against `from` (commits or trees), with their lines added and removed. */
export async function diffSummary(repo: string, from: string, to: string): Promise<DiffSummary> {
  const names = parseNameStatus((await git(repo, [...DIFF, '--name-status', '-z', from, to, '--'])).stdout);
  const counts = parseNumstat((await git(repo, [...DIFF, '--numstat', '-z', from, to, '--'])).stdout);
  const files = names.map((f) => ({ ...f, ...counts.get(f.path) }));
  return { files, insertions: files.reduce((n, f) => n + (f.insertions ?? 0), 0), deletions: files.reduce((n, f) => n + (f.deletions ?? 0), 0) };
}

/** The patch from `from` to `to`, or its `--stat` (what `git diff` prints). */
export async function diffText(repo: string, from: string, to: string, stat = false): Promise<string> {
  return (await git(repo, [...DIFF, ...(stat ? ['--stat'] : ['--binary']), from, to, '--'])).stdout;
}

/**
 * The tree of a worktree's files as they are now, ignored ones and `exclude` (paths from its top,
 * e.g. files copied in) left out, made in a temporary index started from a copy of the worktree's own.
 */
export async function worktreeTree(folder: string, exclude: readonly string[] = []): Promise<string> {
  const dir = fs.mkdtempSync(path.join(tempFolder(), 'sb-index-'));
  const indexFile = path.join(dir, 'index');
  try {
    const own = path.resolve(folder, (await git(folder, ['rev-parse', '--git-path', 'index'])).stdout.trim());
    if (fs.existsSync(own)) fs.copyFileSync(own, indexFile);
    else await git(folder, ['read-tree', 'HEAD'], { indexFile });
    await git(folder, ['add', '-A', '--', '.'], { indexFile });
    if (exclude.length) await git(folder, ['--literal-pathspecs', 'rm', '--cached', '-r', '-q', '--ignore-unmatch', '--', ...exclude], { indexFile });
    return (await git(folder, ['write-tree'], { indexFile })).stdout.trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
