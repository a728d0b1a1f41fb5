/** The tools that bring a team's work in: conflict scores of its branches, merging a worker's branch, removing worktrees. */
import { z } from 'zod';
import type { PairScore } from '../core/git/mergeScore';
import { toShape } from './schemas';
import { mergeStatusShape, teamField } from './teamSchemas';
import { defineOperation } from './operation';

/** `a × b: 3 (shared.txt)`. */
const conflictText = (label: string, p: PairScore): string => `${label}: ${p.score} (${p.files.map((f) => f.path).join(', ')})`;

const mergeStatus = defineOperation({
  name: 'merge_status',
  title: "Score a team's merges",
  description:
    "Would the team's worker branches merge cleanly? Scores every pair of worker branches and each branch against the base, without touching any working tree: 0 is clean, otherwise the sum over conflicting files of 1 + their conflicting hunks, with the files listed. Merge the low scores first (merge_worker).",
  input: z.strictObject({ team: teamField }),
  output: mergeStatusShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const { workers } = ctx.sb.teams.get(args.team);
    const matrix = await ctx.sb.teams.mergeStatus(args.team);
    const workerOf = (branch: string): string => workers.find((w) => w.branch === branch)?.name ?? branch;
    const conflicts = [
      ...matrix.pairs.filter((p) => !p.clean).map((p) => conflictText(`${workerOf(p.a)} × ${workerOf(p.b)}`, p)),
      ...matrix.againstBase.filter((p) => !p.clean).map((p) => conflictText(`${workerOf(p.b)} into ${matrix.base}`, p)),
    ];
    return {
      structured: toShape(mergeStatusShape, { team: args.team, base: matrix.base, pairs: matrix.pairs, againstBase: matrix.againstBase.map((p) => ({ ...p, worker: workerOf(p.b), branch: p.b })) }),
      summary: conflicts.length ? `Conflicts (score): ${conflicts.join('; ')}.` : `All ${matrix.againstBase.length} worker branch(es) merge cleanly into ${matrix.base} and with each other.`,
    };
  },
});

const mergedShape = z.object({
  team: z.string(),
  worker: z.string(),
  branch: z.string(),
  base: z.string(),
  commit: z.string().describe('The merge commit, or the base commit when it was merged already'),
  already_merged: z.boolean(),
  files: z.array(z.string()).describe('The files the merge changed in the base'),
  removed_worktree: z.boolean(),
});

const mergeWorker = defineOperation({
  name: 'merge_worker',
  title: "Merge a worker's branch",
  description:
    "Merge one worker's branch into the team's base branch with a merge commit listing its done tasks. Refused, changing nothing, when it would conflict (merge_conflict, naming the files and hunks) or when uncommitted changes in the base's folder are in the way. Merging a branch already in the base does nothing. Once the team has ended, the merged worker's worktree is removed (its branch stays).",
  input: z.strictObject({ team: teamField, worker: z.string().min(1).describe('The worker name, e.g. executor-1 (team_status lists them)') }),
  output: mergedShape,
  annotations: { destructiveHint: false, idempotentHint: true },
  async handle(args, ctx) {
    ctx.host.guard('merge');
    const merged = await ctx.sb.teams.mergeWorker(args.team, args.worker);
    return {
      structured: toShape(mergedShape, { team: args.team, worker: args.worker, ...merged }),
      summary: merged.alreadyMerged
        ? `${merged.branch} was already merged into ${merged.base}.`
        : `Merged ${merged.branch} into ${merged.base} as ${merged.commit.slice(0, 12)} (${merged.files.length} file(s))${merged.removedWorktree ? '; its worktree was removed' : ''}.`,
    };
  },
});

const teamCleanup = defineOperation({
  name: 'team_cleanup',
  title: "Remove a team's worktrees",
  description:
    "Remove the worktrees of a team that has ended (shut it down first) whose work is merged into the base and that hold no uncommitted changes; the others are kept, saying why. `force` removes those too, losing uncommitted changes: ask the user before passing it. Branches always stay, so nothing committed is lost.",
  input: z.strictObject({ team: teamField, force: z.boolean().optional().describe('Also remove worktrees with unmerged or uncommitted work (only after the user agreed)') }),
  output: z.object({ team: z.string(), worktrees: z.array(z.object({ worker: z.string(), removed: z.boolean(), reason: z.string().optional().describe('Why it was kept') })) }),
  annotations: { destructiveHint: true, idempotentHint: true },
  async handle(args, ctx) {
    ctx.host.guard('merge');
    const worktrees = await ctx.sb.teams.removeWorktrees(args.team, { force: args.force });
    const kept = worktrees.filter((w) => !w.removed);
    return {
      structured: { team: args.team, worktrees },
      summary: `Removed ${worktrees.length - kept.length} of ${worktrees.length} worktree(s)${kept.length ? `; kept ${kept.map((w) => `${w.worker} (${w.reason})`).join(', ')} — force removes them` : ''}.`,
    };
  },
});

export const MERGE_OPS = [mergeStatus, mergeWorker, teamCleanup];
