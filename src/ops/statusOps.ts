/**
 * Switchboard at a glance: `health` (the state folder, free disk space, each agent CLI; for the HTTP
 * API and probes, `doctor` says the same to MCP clients at length), `get_status` (what runs, waits and
 * was spent today) and `get_cost` (the last 24 hours' spend by hour, runner and model).
 */
import { z } from 'zod';
import { isLiveGoal } from '../core/goals/goalRecord';
import { formatBytes } from '../core/store/diskSpace';
import { runnerFor } from '../core/runners/runnerTable';
import { SpendCurve, type SpendFigures, type UsageScopes } from '../core/runs/spendOverTime';
import type { AgentEvent, RunRecord } from '../core/runs/types';
import type { RunBrief } from '../core/runs/runBrief';
import { isActiveTeam } from '../core/teams/teamStore';
import { defineOperation, type OpContext } from './operation';

const HOUR_MS = 3_600_000;
const round = (usd: number): number => Math.round(usd * 1e6) / 1e6;

const checkShape = z.object({ status: z.enum(['ok', 'warn', 'fail']), detail: z.string() });

export const health = defineOperation({
  name: 'health',
  title: 'Health',
  description: "Whether this Switchboard can work: its state folder (writable), the free disk space there, and each agent CLI (installed, its version). `status` is fail when the state folder cannot be used, degraded when disk space is low, else ok.",
  input: z.strictObject({}),
  output: z.object({
    status: z.enum(['ok', 'degraded', 'fail']),
    version: z.string().describe('As `switchboard --version` prints it'),
    checks: z.object({
      state_dir: checkShape.extend({ path: z.string() }),
      disk: checkShape.extend({ free_bytes: z.number().nullable() }),
      runners: z.record(z.string(), checkShape.extend({ installed: z.boolean(), version: z.string().optional(), path: z.string().optional() })),
    }),
  }),
  annotations: { readOnlyHint: true },
  async handle(_args, ctx) {
    const report = await ctx.host.doctor();
    // Low space (under LOW_DISK_BYTES) is what Doctor warns of: the same check.
    const disk = !report.disk ? { status: 'warn' as const, detail: 'the free space could not be measured', free_bytes: null } : { status: report.disk.warning ? ('warn' as const) : ('ok' as const), detail: report.disk.warning ?? `${formatBytes(report.disk.freeBytes)} free`, free_bytes: report.disk.freeBytes };
    const stateDir = { status: report.stateDirProblem ? ('fail' as const) : ('ok' as const), detail: report.stateDirProblem ?? 'writable', path: report.stateDir };
    const runners = Object.fromEntries(
      report.runners.map((r) => [
        r.runner,
        { status: r.problem ? ('warn' as const) : r.installed ? ('ok' as const) : ('fail' as const), detail: r.problem ?? (r.installed ? `${r.displayName} ${r.version ?? ''}`.trim() : `${r.displayName} is not installed (${r.binary} not found)`), installed: r.installed, version: r.version, path: r.path },
      ]),
    );
    const status = stateDir.status === 'fail' ? ('fail' as const) : disk.status === 'warn' ? ('degraded' as const) : ('ok' as const);
    const ready = report.runners.filter((r) => r.installed && !r.problem).map((r) => r.runner);
    return { structured: { status, version: ctx.host.version, checks: { state_dir: stateDir, disk, runners } }, summary: `${status}: state folder ${stateDir.detail}, ${disk.detail}; agent CLIs ready: ${ready.join(', ') || 'none'}.` };
  },
});

const startOfToday = (): number => new Date(new Date().toISOString().slice(0, 10)).getTime();

/** How a run's runner adds its reports up (a runner this version does not know: each report on its own). */
function scopesOf(run: RunRecord): UsageScopes {
  try {
    const runner = runnerFor(run.runner, run.protocol);
    return { usage: runner.usageScope, cost: runner.costScope };
  } catch {
    return { usage: 'turn' };
  }
}

/** The events a spend curve needs (usage reports and process ends) of each run read so far, by registry: read on from where they stopped, not again whole. */
const spendEvents = new WeakMap<object, Map<string, { seq: number; events: AgentEvent[] }>>();

function spendEventsOf(ctx: OpContext, run: RunRecord): AgentEvent[] {
  let byRun = spendEvents.get(ctx.sb.runs);
  if (!byRun) spendEvents.set(ctx.sb.runs, (byRun = new Map()));
  let kept = byRun.get(run.id);
  if (!kept) byRun.set(run.id, (kept = { seq: 0, events: [] }));
  if (kept.seq < run.eventCount) {
    for (const event of ctx.sb.runs.events(run.id, kept.seq)) {
      kept.seq = Math.max(kept.seq, event.seq);
      if (event.type === 'usage' || event.type === 'exit') kept.events.push(event);
    }
  }
  return kept.events;
}

/** The runs at work at some time since `since` (started before now, not ended before it), each with when it spent what. */
function spendSince(ctx: OpContext, since: number, now: number): { run: RunRecord; curve: SpendCurve }[] {
  const briefs = ctx.sb.runs.briefs().filter((r: RunBrief) => (r.endedAt ?? now) >= since && r.createdAt <= now);
  const spent = ctx.sb.runs.wholeOf(briefs).map((run) => ({ run, curve: SpendCurve.of(run, spendEventsOf(ctx, run), scopesOf(run), ctx.sb.config.prices, now) }));
  // Only the runs of this window are kept (at most a day's: read again if another window wants them).
  const inWindow = new Set(briefs.map((r) => r.id));
  const byRun = spendEvents.get(ctx.sb.runs);
  for (const id of byRun?.keys() ?? []) if (!inWindow.has(id)) byRun!.delete(id);
  return spent;
}

const getStatus = defineOperation({
  name: 'get_status',
  title: 'Status',
  description: 'Switchboard at a glance: its version and how long this process has served, the runs running and queued, the teams and goals at work, and the dollars spent today (UTC): what runs spent since midnight, by the times of their usage reports.',
  input: z.strictObject({}),
  output: z.object({
    version: z.string(),
    uptime_seconds: z.number(),
    runs: z.object({ running: z.number(), queued: z.number(), waiting_for_input: z.number(), total: z.number() }),
    teams: z.object({ active: z.number(), total: z.number() }),
    goals: z.object({ active: z.number(), total: z.number() }),
    spend_today_usd: z.number(),
  }),
  annotations: { readOnlyHint: true },
  async handle(_args, ctx) {
    // Briefs count; whole records are read only of the runs running (waiting?) and at work today (spend).
    const runs = ctx.sb.runs.briefs();
    const now = Date.now();
    const today = startOfToday();
    const teams = ctx.sb.teams.list();
    const goals = ctx.sb.goals.list();
    const running = ctx.sb.runs.wholeOf(runs.filter((r) => r.status === 'running'));
    const structured = {
      version: ctx.host.version,
      uptime_seconds: Math.round(process.uptime()),
      runs: { running: running.length, queued: runs.filter((r) => r.status === 'queued').length, waiting_for_input: running.filter((r) => r.waiting).length, total: runs.length },
      teams: { active: teams.filter((t) => isActiveTeam(t.status)).length, total: teams.length },
      goals: { active: goals.filter((g) => isLiveGoal(g.status)).length, total: goals.length },
      spend_today_usd: round(spendSince(ctx, today, now).reduce((sum, { curve }) => sum + curve.between(today, now + 1).usd, 0)),
    };
    return { structured, summary: `${structured.runs.running} running, ${structured.runs.queued} queued; ${structured.teams.active} team(s) and ${structured.goals.active} goal(s) at work; $${structured.spend_today_usd.toFixed(2)} today.` };
  },
});

const spendRow = z.object({ key: z.string(), usd: z.number(), runs: z.number(), input_tokens: z.number(), output_tokens: z.number() });
type SpendRow = z.output<typeof spendRow>;

/** Adds what a run spent to its row of `rows` (counting the run once per row). */
function addTo(rows: Map<string, SpendRow & { ids: Set<string> }>, key: string, run: RunRecord, spent: SpendFigures): void {
  const row = rows.get(key) ?? { key, usd: 0, runs: 0, input_tokens: 0, output_tokens: 0, ids: new Set<string>() };
  row.usd = round(row.usd + spent.usd);
  row.input_tokens += spent.inputTokens;
  row.output_tokens += spent.outputTokens;
  row.ids.add(run.id);
  row.runs = row.ids.size;
  rows.set(key, row);
}

const ordered = (rows: Map<string, SpendRow & { ids: Set<string> }>): SpendRow[] =>
  [...rows.values()].map(({ ids: _ids, ...row }) => row).sort((a, b) => b.usd - a.usd || a.key.localeCompare(b.key));

const spent = (f: SpendFigures): boolean => f.usd > 0 || f.inputTokens > 0 || f.outputTokens > 0;

const getCost = defineOperation({
  name: 'get_cost',
  title: 'Cost',
  description: 'What runs spent over the last 24 hours, counted when it was spent (by the times of their usage reports; a run without them at its end, or now while it goes on): in total, by hour, by runner and by model, in US dollars (reported by the CLI, else estimated from the price table) and tokens. A run counts in a runner or model row when it was at work in the 24 hours, in an hour row when it spent in that hour.',
  input: z.strictObject({}),
  output: z.object({ since: z.string(), until: z.string(), total_usd: z.number(), by_hour: z.array(spendRow.describe('key: the hour, ISO 8601')), by_runner: z.array(spendRow), by_model: z.array(spendRow) }),
  annotations: { readOnlyHint: true },
  async handle(_args, ctx) {
    const now = Date.now();
    const since = now - 24 * HOUR_MS;
    const byHour = new Map<string, SpendRow & { ids: Set<string> }>();
    const byRunner = new Map<string, SpendRow & { ids: Set<string> }>();
    const byModel = new Map<string, SpendRow & { ids: Set<string> }>();
    let total = 0;
    const runs = spendSince(ctx, since, now);
    for (const { run, curve } of runs) {
      for (let hour = Math.floor(since / HOUR_MS) * HOUR_MS; hour <= now; hour += HOUR_MS) {
        const inHour = curve.between(Math.max(hour, since), Math.min(hour + HOUR_MS, now + 1));
        if (spent(inHour)) addTo(byHour, new Date(hour).toISOString(), run, inHour);
      }
      const inWindow = curve.between(since, now + 1);
      total += inWindow.usd;
      addTo(byRunner, run.runner, run, inWindow);
      addTo(byModel, run.model ?? 'unknown', run, inWindow);
    }
    return {
      structured: { since: new Date(since).toISOString(), until: new Date(now).toISOString(), total_usd: round(total), by_hour: ordered(byHour).sort((a, b) => a.key.localeCompare(b.key)), by_runner: ordered(byRunner), by_model: ordered(byModel) },
      summary: `$${round(total).toFixed(2)} over the last 24 h by ${runs.length} run(s).`,
    };
  },
});

export const STATUS_OPS = [getStatus, getCost];
