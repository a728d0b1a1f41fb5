/** The comparison tools: one prompt run by several agent CLIs (or models) at once, each in its own worktree, then the same gates in each. */
import { z } from 'zod';
import { COMPARE_STATUSES, type CompareView } from '../core/compare/compareRecord';
import { MAX_CONTENDERS } from '../core/compare/compareService';
import { compareSummary } from '../core/compare/compareText';
import { SwitchboardError } from '../core/errors';
import { parseGateOption } from '../core/gates/gate';
import { formatDuration } from '../core/render';
import { absoluteFolder, runnerField, toShape, usageShape } from './schemas';
import { defineOperation, type OpContext } from './operation';

const WAIT_DEFAULT_MS = 50_000;
const PROGRESS_EVERY_MS = 5_000;

const time = z.string().describe('ISO 8601');

export const compareShape = z.object({
  id: z.string(),
  status: z.enum(COMPARE_STATUSES).describe('running (agents at work), verifying (gates running), done, cancelled'),
  owned: z.boolean().describe('False when it had not ended but the process that ran it has exited: its gates will not run'),
  prompt: z.string(),
  workspace: z.string(),
  created_at: time,
  ended_at: time.optional(),
  gates: z.array(z.object({ name: z.string(), command: z.union([z.string(), z.array(z.string())]) })),
  entries: z.array(
    z.object({
      runner: z.string(),
      model: z.string().optional().describe('The model asked for, else the one the agent reported'),
      name: z.string().optional().describe('Its run: run_diff, run_merge and run_cleanup take it'),
      run_id: z.string().optional(),
      branch: z.string().optional(),
      status: z.string().describe('Its run\'s status, or "not started"'),
      elapsed_ms: z.number().optional(),
      usage: usageShape.optional(),
      gates: z.object({ passed: z.boolean(), results: z.array(z.object({ name: z.string(), passed: z.boolean(), required: z.boolean(), exit_code: z.number().nullable(), timed_out: z.boolean(), duration_ms: z.number(), log: z.string() })) }).optional(),
      gates_skipped: z.string().optional().describe('Why its gates were not run'),
      files: z.number().optional().describe('Files changed'),
      insertions: z.number().optional(),
      deletions: z.number().optional(),
      error: z.string().optional().describe('Why it could not start'),
    }),
  ),
  timed_out: z.boolean().optional().describe('When waiting: true if it had not ended in time (call compare_show with wait again)'),
});

/** A comparison as the tools and `switchboard compare --format json` show it. */
export const toCompareShape = ({ record, rows, owned }: CompareView, extra: { timedOut?: boolean } = {}): z.output<typeof compareShape> =>
  toShape(compareShape, { ...record, owned, entries: rows, ...extra });

/** Waits for a comparison run in this process, with progress, until it ends, the time is up, or the call is cancelled. */
async function waitFor(id: string, timeoutMs: number, ctx: OpContext): Promise<boolean> {
  const started = Date.now();
  let step = 0;
  const ticker = setInterval(() => void ctx.progress(++step, `${id}: ${compareSummary(ctx.sb.compares.get(id))}; waited ${formatDuration(Date.now() - started)}`), PROGRESS_EVERY_MS);
  let timer: NodeJS.Timeout | undefined;
  const stop = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
    ctx.signal.addEventListener('abort', () => resolve(true), { once: true });
  });
  try {
    return await Promise.race([ctx.sb.compares.wait(id).then(() => false), stop]);
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
  }
}

const waitFields = {
  wait: z.boolean().optional().describe(`Wait until it has ended (its gates run) and return the table, or until timeout_ms (default ${WAIT_DEFAULT_MS / 1000} s; call compare_show with wait to go on)`),
  timeout_ms: z.number().int().min(0).max(3_600_000).optional(),
};

async function answer(id: string, args: { wait?: boolean; timeout_ms?: number }, ctx: OpContext, started?: string): Promise<{ structured: z.input<typeof compareShape>; summary: string }> {
  const timedOut = args.wait ? await waitFor(id, args.timeout_ms ?? WAIT_DEFAULT_MS, ctx) : undefined;
  const view = await ctx.sb.compares.view(id);
  const names = view.rows.map((r) => (r.name ? `${r.name} (${r.runner}${r.model ? ` ${r.model}` : ''})` : `${r.runner}: ${r.error ?? 'not started'}`)).join(', ');
  const state = timedOut ? `still ${view.record.status}` : view.record.status;
  return { structured: toCompareShape(view, args.wait ? { timedOut } : {}), summary: `${started ?? ''}${id} ${state}: ${compareSummary(view.record)}. Runs: ${names}.` };
}

const compareAgents = defineOperation({
  name: 'compare_agents',
  title: 'Compare agents on one task',
  description:
    `Give one prompt to several agent CLIs (or one CLI with several models) at once, each in a git worktree of its own made from the folder's HEAD (at most ${MAX_CONTENDERS}). When all have ended, the gates run in the worktree of each that is done; every entry has its status, time, tokens, cost, gate result, files changed and diff size, and its run's name for run_diff / run_merge / run_cleanup. Returns at once with the run names (the comparison goes on in this server); \`wait: true\` waits for the table.`,
  input: z.strictObject({
    prompt: z.string().trim().min(1, 'must say what every agent should do'),
    runners: z.array(runnerField).min(1).max(MAX_CONTENDERS).describe('One entry each; a runner may come twice with different models'),
    models: z.array(z.string()).optional().describe('The model of each runner, by position ("" for its configured one)'),
    gates: z.array(z.string().min(1)).optional().describe('Gates to run in each worktree, as "name=command" (e.g. "test=npm test"); split like a shell would, no shell runs'),
    cwd: absoluteFolder.optional().describe('An absolute folder (in a git repository with a commit; default: the workspace folder)'),
    command: z.string().min(1).optional().describe('For custom runners: the command template; {prompt} is replaced'),
    setup: z.string().optional().describe('Run in each new worktree before its agent starts (e.g. "npm ci"; default: the teams\' setup)'),
    ...waitFields,
  }),
  output: compareShape,
  annotations: { destructiveHint: false, openWorldHint: true },
  async handle(args, ctx) {
    ctx.host.guard('start');
    const cwd = args.cwd ?? ctx.host.defaultCwd();
    if (!cwd) throw new SwitchboardError('bad_cwd', '`cwd` is required: there is no workspace folder to default to.', 'Pass the absolute folder of the git repository to work in.');
    const gates = (args.gates ?? []).map(parseGateOption);
    const record = await ctx.sb.compares.start({ prompt: args.prompt, runners: args.runners, models: args.models, gates, cwd, command: args.command, setup: args.setup, startedBy: ctx.source });
    return answer(record.id, args, ctx, 'Started ');
  },
});

const compareShow = defineOperation({
  name: 'compare_show',
  title: 'Show a comparison',
  description: 'A comparison (compare_agents) with every entry as it stands: status, time, tokens, cost, gate result, files changed, diff size; `wait: true` waits for it to end first.',
  input: z.strictObject({ id: z.string().min(1).describe('The comparison id (cmp-…)'), ...waitFields }),
  output: compareShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    return answer(args.id, args, ctx);
  },
});

export const COMPARE_OPS = [compareAgents, compareShow];
