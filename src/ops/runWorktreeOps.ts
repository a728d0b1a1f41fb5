/** The tools over a run's own worktree (`run_agent` with `worktree: true`): what it changed, merging it, removing it. */
import { z } from 'zod';
import type { RunChanges } from '../core/registry/runWorktrees';
import { idField, statusField, toShape } from './schemas';
import { defineOperation } from './operation';

/** More of a patch than this is not sent (run_diff says it was cut; `switchboard diff` prints all of it). */
const MAX_PATCH = 200_000;

export const runChangesShape = z.object({
  run: z.string(),
  name: z.string(),
  status: statusField,
  branch: z.string().describe('Its branch, switchboard/run/<name>'),
  base_commit: z.string().describe('The commit its branch was made from'),
  base_branch: z.string().optional().describe('The branch its folder was on then: where run_merge brings the work'),
  folder: z.string().describe('Its worktree'),
  present: z.boolean().describe('Whether the worktree is still there (run_cleanup removes it)'),
  from: z.enum(['worktree', 'branch']).describe('worktree: its files as they are now (it still runs); branch: its commits (it ended, what it left committed for it)'),
  commits: z.number(),
  files: z.array(z.object({ status: z.string().describe('A added, M modified, D deleted, R renamed, …'), path: z.string(), old_path: z.string().optional(), insertions: z.number().optional(), deletions: z.number().optional(), binary: z.boolean().optional() })),
  insertions: z.number(),
  deletions: z.number(),
  uncommitted: z.array(z.string()).describe('Files of its worktree that differ from its branch'),
  merged: z.boolean().describe('Whether its branch is in its base branch already'),
  patch: z.string().optional(),
  stat: z.string().optional(),
  patch_truncated: z.boolean().optional(),
});

/** The changes as the tools and `switchboard diff --format json` show them (`text` as `patch`, or `stat`). */
export function toChangesShape({ text, ...changes }: RunChanges, kind: 'patch' | 'stat' = 'patch', max = Infinity): z.output<typeof runChangesShape> {
  const cut = text !== undefined && text.length > max;
  return toShape(runChangesShape, { ...changes, ...(text !== undefined ? { [kind]: cut ? text.slice(0, max) : text } : {}), ...(cut ? { patchTruncated: true } : {}) });
}

const runDiff = defineOperation({
  name: 'run_diff',
  title: "A run's changes",
  description:
    "What a run started with `worktree: true` changed against the commit its branch was made from: the files (added, modified, deleted, renamed) with lines added and removed, its commits, and the patch (cut at 200 KB) or its `stat`. While it runs, its worktree's files as they are now; once it ended, its branch (what it left uncommitted was committed for it).",
  input: z.strictObject({ id: idField, patch: z.boolean().optional().describe('Include the patch (default true)'), stat: z.boolean().optional().describe("Include git's --stat instead of the patch") }),
  output: runChangesShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const kind = args.stat ? 'stat' : args.patch === false ? undefined : 'patch';
    const changes = await ctx.sb.worktrees.changes(args.id, kind ? { text: kind } : {});
    return {
      structured: toChangesShape(changes, kind, MAX_PATCH),
      summary: `${changes.name} changed ${changes.files.length} file(s), +${changes.insertions} -${changes.deletions}, in ${changes.commits} commit(s) on ${changes.branch}${changes.merged && changes.commits ? ` (merged into ${changes.baseBranch})` : ''}.`,
    };
  },
});

export const runMergeShape = z.object({ run: z.string(), name: z.string(), branch: z.string(), base: z.string(), commit: z.string().describe('The merge commit, or the base commit when it was merged already'), already_merged: z.boolean(), files: z.array(z.string()).describe('The files the merge changed in the base') });

const runMerge = defineOperation({
  name: 'run_merge',
  title: "Merge a run's branch",
  description:
    "Merge the branch of a run started with `worktree: true` into the branch its folder was on when it started (or `into`), with a merge commit. Refused, changing nothing, while the run still runs, when it would conflict (merge_conflict, naming the files), or when uncommitted changes in that branch's folder are in the way. Merging a branch already merged does nothing.",
  input: z.strictObject({ id: idField, into: z.string().min(1).optional().describe('The branch to merge into (default: the one the folder was on)') }),
  output: runMergeShape,
  annotations: { destructiveHint: false, idempotentHint: true },
  async handle(args, ctx) {
    ctx.host.guard('merge');
    const merged = await ctx.sb.worktrees.merge(args.id, { into: args.into });
    return {
      structured: toShape(runMergeShape, merged),
      summary: merged.alreadyMerged ? `${merged.branch} was already merged into ${merged.base}.` : `Merged ${merged.branch} into ${merged.base} as ${merged.commit.slice(0, 12)} (${merged.files.length} file(s)).`,
    };
  },
});

export const runCleanupShape = z.object({ run: z.string(), name: z.string(), folder: z.string(), branch: z.string(), removed_folder: z.boolean(), deleted_branch: z.boolean(), already_removed: z.boolean() });

const runCleanup = defineOperation({
  name: 'run_cleanup',
  title: "Remove a run's worktree",
  description:
    "Remove the worktree of a run started with `worktree: true` once it has ended; its branch stays unless `delete_branch`. Refused while it holds work not merged into its base branch or uncommitted changes, saying which; `force` removes it anyway, losing them: ask the user before passing it.",
  input: z.strictObject({ id: idField, force: z.boolean().optional().describe('Also when its work is unmerged or uncommitted (only after the user agreed)'), delete_branch: z.boolean().optional().describe('Delete its branch too') }),
  output: runCleanupShape,
  annotations: { destructiveHint: true, idempotentHint: true },
  async handle(args, ctx) {
    ctx.host.guard('merge');
    const done = await ctx.sb.worktrees.cleanup(args.id, { force: args.force, deleteBranch: args.delete_branch });
    return {
      structured: toShape(runCleanupShape, done),
      summary: done.alreadyRemoved ? `The worktree of ${done.name} was already removed.` : `Removed the worktree of ${done.name}${done.deletedBranch ? ` and its branch ${done.branch}` : `; its branch ${done.branch} stays`}.`,
    };
  },
});

export const RUN_WORKTREE_OPS = [runDiff, runMerge, runCleanup];
