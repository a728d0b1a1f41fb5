/**
 * Switchboard at a glance: `health` (the state folder, free disk space, each agent CLI; for the HTTP
 * API and probes, `doctor` says the same to MCP clients at length), `get_status` (what runs, waits and
 * was spent today) and `get_cost` (the last 24 hours' spend by hour, runner and model).
 */
import { z } from 'zod';
import { isLiveGoal } from '../core/goals/goalRecord';
import { formatBytes } from '../core/store/diskSpace';
import type { RunRecord } from '../core/runs/types';
import type { RunBrief } from '../core/runs/runBrief';
import { isActiveTeam } from '../core/teams/teamStore';
import { defineOperation } from './operation';

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
const usdOf = (runs: readonly RunRecord[]): number => round(runs.reduce((sum, r) => sum + (r.usage.usd ?? 0), 0));

const getStatus = defineOperation({
  name: 'get_status',
  title: 'Status',
  description: 'Switchboard at a glance: its version and how long this process has served, the runs running and queued, the teams and goals at work, and the dollars spent by runs started today (UTC).',
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
    // Briefs count; whole records are read only of the runs running (waiting?) and made today (spend).
    const runs = ctx.sb.runs.briefs();
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
      spend_today_usd: usdOf(ctx.sb.runs.wholeOf(runs.filter((r) => r.createdAt >= today))),
    };
    return { structured, summary: `${structured.runs.running} running, ${structured.runs.queued} queued; ${structured.teams.active} team(s) and ${structured.goals.active} goal(s) at work; $${structured.spend_today_usd.toFixed(2)} today.` };
  },
});

const spendRow = z.object({ key: z.string(), usd: z.number(), runs: z.number(), input_tokens: z.number(), output_tokens: z.number() });

function spendBy(runs: readonly RunRecord[], keyOf: (r: RunRecord) => string): z.output<typeof spendRow>[] {
  const rows = new Map<string, z.output<typeof spendRow>>();
  for (const r of runs) {
    const key = keyOf(r);
    const row = rows.get(key) ?? { key, usd: 0, runs: 0, input_tokens: 0, output_tokens: 0 };
    row.usd = round(row.usd + (r.usage.usd ?? 0));
    row.runs++;
    row.input_tokens += r.usage.inputTokens;
    row.output_tokens += r.usage.outputTokens;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.usd - a.usd || a.key.localeCompare(b.key));
}

const getCost = defineOperation({
  name: 'get_cost',
  title: 'Cost',
  description: 'What runs spent over the last 24 hours (a run counts in the hour it ended, or now while it goes on): in total, by hour, by runner and by model, in US dollars (reported by the CLI, else estimated from the price table) and tokens.',
  input: z.strictObject({}),
  output: z.object({ since: z.string(), until: z.string(), total_usd: z.number(), by_hour: z.array(spendRow.describe('key: the hour, ISO 8601')), by_runner: z.array(spendRow), by_model: z.array(spendRow) }),
  annotations: { readOnlyHint: true },
  async handle(_args, ctx) {
    const now = Date.now();
    const since = now - 24 * HOUR_MS;
    const at = (r: RunBrief): number => r.endedAt ?? now;
    const runs = ctx.sb.runs.wholeOf(ctx.sb.runs.briefs().filter((r) => at(r) >= since));
    const byHour = spendBy(runs, (r) => new Date(Math.floor(at(r) / HOUR_MS) * HOUR_MS).toISOString()).sort((a, b) => a.key.localeCompare(b.key));
    const total = usdOf(runs);
    return {
      structured: { since: new Date(since).toISOString(), until: new Date(now).toISOString(), total_usd: total, by_hour: byHour, by_runner: spendBy(runs, (r) => r.runner), by_model: spendBy(runs, (r) => r.model ?? 'unknown') },
      summary: `$${total.toFixed(2)} over the last 24 h by ${runs.length} run(s).`,
    };
  },
});

export const STATUS_OPS = [getStatus, getCost];
