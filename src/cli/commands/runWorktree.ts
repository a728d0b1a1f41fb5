/** `switchboard diff | merge | cleanup <run>`: the work of a run started with `--worktree`. */
import { parseArgs } from 'node:util';
import { runCleanupShape, runMergeShape, toChangesShape } from '../../ops/runWorktreeOps';
import { toShape } from '../../ops/schemas';
import type { RunChanges } from '../../core/registry/runWorktrees';
import type { CliContext } from '../context';
import { printJson } from '../output';
import { oneId } from '../usage';

/** `claude-1: 3 files, +12 -4, 1 commit on switchboard/run/claude-1 (from main at 1a2b3c4d5e6f)`. */
function changesLine(c: RunChanges): string {
  const from = `${c.baseBranch ?? 'a detached HEAD'} at ${c.baseCommit.slice(0, 12)}`;
  const what = c.from === 'worktree' ? `in its worktree (${c.status}, not all committed yet)` : `in ${c.commits} commit(s) on ${c.branch}`;
  const merged = c.merged && c.commits ? `; merged into ${c.baseBranch}` : '';
  const loose = c.from === 'branch' && c.uncommitted.length ? `; its worktree has ${c.uncommitted.length} other uncommitted file(s): ${c.uncommitted.slice(0, 5).join(', ')}` : '';
  return `${c.name}: ${c.files.length} file(s), +${c.insertions} -${c.deletions}, ${what} (from ${from})${merged}${loose}`;
}

export async function diffCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { stat: { type: 'boolean', default: false } } });
  const id = oneId(positionals, 'diff');
  const kind = values.stat ? 'stat' : 'patch';
  return ctx.withSwitchboard(async ({ worktrees }) => {
    const changes = await worktrees.changes(id, { text: kind });
    if (ctx.out.format === 'json') printJson(ctx.out, toChangesShape(changes, kind));
    else {
      ctx.out.stderr(changesLine(changes));
      if (changes.text) await ctx.out.write(changes.text);
    }
    return 0;
  });
}

export async function mergeCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { into: { type: 'string' } } });
  const id = oneId(positionals, 'merge');
  return ctx.withSwitchboard(async ({ worktrees }) => {
    const merged = await worktrees.merge(id, { into: values.into });
    if (ctx.out.format === 'json') printJson(ctx.out, toShape(runMergeShape, merged));
    else ctx.out.stdout(merged.alreadyMerged ? `${merged.branch} was already merged into ${merged.base}` : `merged ${merged.branch} into ${merged.base} as ${merged.commit.slice(0, 12)} (${merged.files.length} file(s))`);
    return 0;
  });
}

export async function cleanupCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean', default: false }, 'delete-branch': { type: 'boolean', default: false } } });
  const id = oneId(positionals, 'cleanup');
  return ctx.withSwitchboard(async ({ worktrees }) => {
    const done = await worktrees.cleanup(id, { force: values.force, deleteBranch: values['delete-branch'] });
    if (ctx.out.format === 'json') printJson(ctx.out, toShape(runCleanupShape, done));
    else if (done.alreadyRemoved) ctx.out.stdout(`the worktree of ${done.name} was already removed; its branch ${done.branch} stays`);
    else ctx.out.stdout(`removed the worktree of ${done.name} (${done.folder})${done.deletedBranch ? ` and its branch ${done.branch}` : `; its branch ${done.branch} stays`}`);
    return 0;
  });
}
