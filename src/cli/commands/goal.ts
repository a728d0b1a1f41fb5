/**
 * `switchboard goal …`: goals without VS Code. `goal create` works on the goal in this process,
 * showing its progress, until it ends, pauses or needs more budget (Ctrl-C pauses it; `goal
 * resume` goes on); `--detach` leaves it to a background process of its own.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readTaskFile } from '../../core/dag/taskJson';
import { errorMessage } from '../../core/errors';
import { parseGateOption } from '../../core/gates/gate';
import { detectGates } from '../../core/gates/detectGates';
import { DEFAULT_QUALITY } from '../../core/goals/goalIntake';
import { applyGateFlags, GATE_FLAGS, hasGateFlags } from '../gateFlags';
import { parseExtension } from '../../core/goals/duration';
import { cleanupSummary, removeGoalWorktrees } from '../../core/goals/goalCheckout';
import { isLiveGoal, isSettledGoal, type GoalRecord } from '../../core/goals/goalRecord';
import type { GoalService } from '../../core/goals/goalService';
import type { Switchboard } from '../../core/switchboard';
import { ReplayReader } from '../../core/goals/replay';
import { toBudgetReportShape, toGoalShape, toProofShape, toReplayShape, type ReplayShape } from '../../ops/goalShapes';
import { toGoalStatusShape } from '../../ops/goalStatusShape';
import type { CliContext } from '../context';
import { renderBudgetReport, replayEntryLine, replayHeading } from '../../ops/goalReportText';
import { goalProgress, renderGoal, renderGoalMarkdown, renderProof } from '../goalText';
import { printJson, table, usageError } from '../output';
import { unknownSubcommand } from '../usage';
import { showProgress } from '../progress';
import { stderr } from '../stdio';
import { goalRecoveryCommand } from './goalRecovery';
import { inBackground } from '../background';

/** How often `goal replay --follow` looks for what was written (the goal's events file, the feed, its record). */
const FOLLOW_POLL_MS = 300;

const number = (value: string | undefined, what: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/^\+/, ''));
  if (!Number.isFinite(n) || n <= 0) throw usageError(`goal ${what.split(' ')[0]}`, `${what.split(' ').slice(1).join(' ')} must be a number more than zero, not "${value}"`);
  return n;
};

function oneGoal(rest: string[], action: string): string {
  const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw usageError(`goal ${action}`, positionals.length ? `one goal at a time, not ${positionals.join(' ')}` : 'which goal? give its id (switchboard goal list)');
  return positionals[0]!;
}

export async function goalCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const show = (sb: Switchboard, goal: GoalRecord): void => {
    const view = sb.goals.status(goal.id);
    if (ctx.out.format === 'json') printJson(ctx.out, toGoalShape(view.goal, sb.stateDir));
    else ctx.out.stdout(ctx.out.format === 'md' ? renderGoalMarkdown(view) : renderGoal(view));
  };
  switch (action) {
    case 'create':
      return create(ctx, rest);
    case 'list': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length) throw usageError('goal list', `unexpected ${positionals.join(' ')}`);
      return ctx.withSwitchboard(async (sb) => {
        const goals = sb.goals.list();
        if (ctx.out.format === 'json') printJson(ctx.out, { goals: goals.map((g) => toGoalShape(g, sb.stateDir)) });
        else if (ctx.out.format === 'md') ctx.out.stdout(['| goal | status | phase | iteration | objective |', '| --- | --- | --- | --- | --- |', ...goals.map((g) => `| ${g.id} | ${g.status} | ${g.phase} | ${g.iteration}/${g.maxIterations} | ${g.normalizedGoal.replace(/\|/g, '\\|')} |`)].join('\n'));
        else ctx.out.stdout(goals.length ? table(['GOAL', 'STATUS', 'PHASE', 'ITERATION', 'OBJECTIVE'], goals.map((g) => [g.id, g.status, g.phase, `${g.iteration}/${g.maxIterations}`, g.normalizedGoal])) : 'No goals yet. Create one with: switchboard goal create "<objective>"');
        return 0;
      });
    }
    case 'show':
    case 'status': {
      const id = oneGoal(rest, action);
      return ctx.withSwitchboard(async (sb) => {
        const view = sb.goals.status(id);
        if (ctx.out.format === 'json') printJson(ctx.out, action === 'show' ? toGoalShape(view.goal, sb.stateDir) : toGoalStatusShape(view, sb.stateDir));
        else show(sb, view.goal);
        return 0;
      });
    }
    case 'proof': {
      const id = oneGoal(rest, 'proof');
      return ctx.withSwitchboard(async (sb) => {
        const proof = await sb.goals.proof(id);
        if (ctx.out.format === 'json') printJson(ctx.out, toProofShape(proof));
        else ctx.out.stdout(renderProof(proof, ctx.out.format === 'md'));
        return proof.status === 'ready' ? 0 : 1;
      });
    }
    case 'replay':
      return replay(ctx, rest);
    case 'diagnose':
    case 'recover':
    case 'checkpoints':
    case 'rollback':
      return goalRecoveryCommand(ctx, action, rest);
    case 'budget': {
      const id = oneGoal(rest, 'budget');
      return ctx.withSwitchboard(async (sb) => {
        const report = toBudgetReportShape(sb.goals.budgetReport(id));
        if (ctx.out.format === 'json') printJson(ctx.out, report);
        else ctx.out.stdout(renderBudgetReport(report, ctx.out.format === 'md'));
        return 0;
      });
    }
    case 'pause':
    case 'cancel': {
      const id = oneGoal(rest, action);
      return ctx.withSwitchboard(async (sb) => (show(sb, await (action === 'pause' ? sb.goals.pause(id) : sb.goals.cancel(id))), 0));
    }
    case 'resume': {
      const id = oneGoal(rest, 'resume');
      return ctx.withSwitchboard(async (sb) => {
        const goal = await sb.goals.resume(id);
        // Taken over here: this process works on it from now on.
        if (sb.goals.goal(id)) return follow(ctx, sb, goal.id);
        show(sb, goal);
        return 0;
      });
    }
    case 'extend': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { usd: { type: 'string' }, tokens: { type: 'string' }, time: { type: 'string' } } });
      if (positionals.length !== 1) throw usageError('goal extend', 'which goal? give its id');
      const more = { usd: number(values.usd, 'extend --usd'), tokens: number(values.tokens, 'extend --tokens'), ...(values.time ? { timeMs: parseExtension(values.time), time: values.time } : {}) };
      return ctx.withSwitchboard(async (sb) => {
        const goal = await sb.goals.extend(positionals[0]!, more);
        if (sb.goals.goal(goal.id) && isLiveGoal(goal.status)) return follow(ctx, sb, goal.id);
        show(sb, goal);
        return 0;
      });
    }
    case 'cleanup': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
      if (positionals.length !== 1) throw usageError('goal cleanup', positionals.length ? `one goal at a time, not ${positionals.join(' ')}` : 'which goal? give its id (switchboard goal list)');
      return ctx.withSwitchboard(async (sb) => {
        const done = await removeGoalWorktrees(sb.stateDir, sb.teams, sb.goals.get(positionals[0]!), { force: values.force });
        if (ctx.out.format === 'json') printJson(ctx.out, done);
        else ctx.out.stdout(cleanupSummary(done));
        return done.worktrees.every((w) => w.removed) ? 0 : 1;
      });
    }
    default:
      throw unknownSubcommand('goal', action);
  }
}

async function create(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'budget-time': { type: 'string' },
      'budget-tokens': { type: 'string' },
      'budget-usd': { type: 'string' },
      'max-agents': { type: 'string' },
      gate: { type: 'string', multiple: true },
      tasks: { type: 'string' },
      runner: { type: 'string' },
      spec: { type: 'string' },
      'until-ready': { type: 'boolean', default: false },
      'max-iterations': { type: 'string' },
      quality: { type: 'string' },
      evaluate: { type: 'boolean', default: false },
      evaluator: { type: 'string' },
      ...GATE_FLAGS,
      cwd: { type: 'string' },
      detach: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw usageError('goal create', 'what is the goal? give it in quotes');
  return ctx.withSwitchboard(async (sb) => {
    const workspace = path.resolve(values.cwd ?? process.cwd());
    let gates = values.gate?.length ? values.gate.map(parseGateOption) : undefined;
    // --gate-optional and --gate-timeout name gates given, else configured, else detected.
    if (hasGateFlags(values)) gates = applyGateFlags('goal create', gates ?? (sb.runs.config.goals.gates.length ? sb.runs.config.goals.gates : detectGates(workspace).map(({ reason: _reason, ...g }) => g)), values);
    const options = {
      objective: positionals.join(' '),
      workspace,
      budgetTime: values['budget-time'],
      budgetTokens: number(values['budget-tokens'], 'create --budget-tokens'),
      budgetUsd: number(values['budget-usd'], 'create --budget-usd'),
      maxAgents: number(values['max-agents'], 'create --max-agents'),
      gates,
      tasks: values.tasks ? readTaskFile(values.tasks) : undefined,
      runner: values.runner,
      spec: values.spec,
      untilReady: values['until-ready'],
      maxIterations: number(values['max-iterations'], 'create --max-iterations'),
      quality: values.quality !== undefined ? Number(values.quality) : values.evaluate || values.evaluator ? DEFAULT_QUALITY : undefined,
      evaluator: values.evaluator,
    };
    if (values.detach) return detach(ctx, sb.goals, options);
    const goal = await sb.goals.create(options);
    ctx.out.stderr(`goal ${goal.id} created on branch ${goal.branch}; gates: ${goal.gates.map((g) => g.name).join(', ') || 'none'}. Ctrl-C pauses it (switchboard goal resume ${goal.id} goes on).`);
    return follow(ctx, sb, goal.id);
  });
}

/** `goal replay <id> [--follow]`: the timeline so far, then (following) each new entry as it happens, until the goal ends or Ctrl-C. */
async function replay(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { follow: { type: 'boolean', short: 'f', default: false } } });
  if (positionals.length !== 1) throw usageError('goal replay', 'which goal? give its id');
  return ctx.withSwitchboard(async (sb) => {
    const id = sb.goals.get(positionals[0]!).id;
    // One reader for the replay so far and what follows: nothing is told twice or lost in between.
    const reader = new ReplayReader(sb.stateDir, sb.feed, id);
    try {
      const shape = toReplayShape(reader.replay(sb.goals.get(id), Date.now(), !values.follow));
      const md = ctx.out.format === 'md';
      let index = 0;
      const write = (e: ReplayShape['timeline'][number]): Promise<void> => ctx.out.write(`${ctx.out.format === 'json' ? JSON.stringify(e) : replayEntryLine(e, md)}\n`);
      if (ctx.out.format === 'json' && !values.follow) printJson(ctx.out, shape);
      else {
        if (ctx.out.format !== 'json') ctx.out.stdout(replayHeading(shape, md));
        for (const e of shape.timeline) await write(e);
        index = shape.timeline.length;
        if (ctx.out.format !== 'json') for (const gap of shape.known_gaps) ctx.out.stderr(`known gap: ${gap}`);
      }
      if (shape.parse_failures) ctx.out.stderr(`switchboard: ${shape.parse_failures} damaged line(s) skipped`);
      if (!values.follow) return 0;
      // Each poll tells what was written since the last; once the goal has ended, one poll more tells what it wrote as it ended, and it stops.
      let stop = false;
      let wake = (): void => undefined;
      const onStop = (): void => ((stop = true), wake());
      process.once('SIGINT', onStop);
      void ctx.out.closed.then(onStop);
      try {
        for (let sawEnd = false; ; ) {
          const goal = sb.goals.get(id);
          const last = sawEnd && isSettledGoal(goal.status);
          for (const e of reader.read(goal, last)) await write({ index: index++, ts: new Date(e.ts).toISOString(), kind: e.kind, actor: e.actor, summary: e.summary });
          if (last || stop) break;
          sawEnd = isSettledGoal(goal.status);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, FOLLOW_POLL_MS);
            wake = () => (clearTimeout(timer), resolve());
          });
          if (stop) break;
        }
      } finally {
        process.off('SIGINT', onStop);
      }
      return 0;
    } finally {
      reader.dispose();
    }
  });
}

/** Records the goal and leaves it to a background `switchboard goal resume`, its output in the goal's owner.log. */
async function detach(ctx: CliContext, goals: GoalService, options: Parameters<GoalService['create']>[0]): Promise<number> {
  const goal = await goals.record(options);
  const log = ctx.state.goal(goal.id).ownerLog;
  const pid = inBackground(['goal', 'resume', goal.id], log);
  if (ctx.out.format === 'json') printJson(ctx.out, { goal_id: goal.id, pid, log });
  else ctx.out.stdout(`${goal.id} goes on in the background (pid ${pid}, its output in ${log}); follow it with: switchboard goal status ${goal.id}`);
  return 0;
}

/** Stays with a goal run here until it is no longer at work here; Ctrl-C pauses it (a second one cancels). */
async function follow(ctx: CliContext, sb: Switchboard, id: string): Promise<number> {
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    progress.say(signals === 1 ? `pausing goal ${id} (its agents are interrupted; Ctrl-C again cancels it)` : `cancelling goal ${id}`);
    (signals === 1 ? sb.goals.pause(id) : sb.goals.cancel(id)).catch((error: unknown) => progress.say(`switchboard: ${errorMessage(error)}`));
  };
  const progress = showProgress(
    { isTTY: stderr.isTTY, columns: process.stderr.columns, write: (t) => stderr.put(t) },
    () => goalProgress(sb.goals.status(id)),
    (changed) => [sb.goals.onDidChange(changed), sb.runs.onDidChange(({ run }) => run.links.goal === id && changed())],
  );
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let goal: GoalRecord;
  try {
    goal = await sb.goals.settled(id);
    // Blocked on a gate whose breaker is open: this process stays with it, and goes on once it is reset (from anywhere).
    while (goal.status === 'blocked_on_external' && sb.goals.goal(id)) {
      progress.say(`goal ${id} is blocked: ${goal.blockedOn ?? 'a gate'}; it goes on here once the breaker is reset (Ctrl-C pauses it)`);
      await sb.goals.unblocked(id);
      goal = await sb.goals.settled(id);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.dispose();
  }
  const view = sb.goals.status(id);
  if (ctx.out.format === 'json') printJson(ctx.out, toGoalShape(view.goal, sb.stateDir));
  else ctx.out.stdout(ctx.out.format === 'md' ? renderGoalMarkdown(view) : renderGoal(view));
  if (goal.status === 'paused' || goal.status === 'needs_more_budget') ctx.out.stderr(`goal ${id} is ${goal.status}: \`switchboard goal ${goal.status === 'paused' ? 'resume' : 'extend'} ${id}\` goes on`);
  return goal.status === 'ready' ? 0 : 1;
}
