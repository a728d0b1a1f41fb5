/** The tools about Switchboard itself: doctor (installed CLIs, state, this server) and get_metrics. */
import { z } from 'zod';
import { apiUrlOf } from '../http/api/apiPath';
import { COUNTER_NAMES, COUNTERS, countersRestartedWhy } from '../core/metrics/counters';
import { RUN_STATUSES } from '../core/runs/types';
import { defineOperation } from './operation';

const doctor = defineOperation({
  name: 'doctor',
  title: 'Doctor',
  description: 'Which agent CLIs are installed (path, version) and what to do about missing ones, the state directory, and this MCP server (address, connected clients).',
  input: z.strictObject({}),
  output: z.object({
    state_dir: z.string(),
    state_dir_problem: z.string().optional(),
    disk: z.object({ free_bytes: z.number(), total_bytes: z.number(), warning: z.string().optional() }).optional().describe("free space on the state folder's disk; a warning when it runs low"),
    node: z.string(),
    platform: z.string(),
    runners: z.array(
      z.object({
        runner: z.string(),
        display_name: z.string(),
        binary: z.string(),
        installed: z.boolean(),
        path: z.string().optional(),
        version: z.string().optional(),
        problem: z.string().optional(),
        note: z.string().optional(),
      }),
    ),
    engines: z
      .array(z.object({ backend: z.string(), endpoint: z.string(), version: z.string().optional(), image: z.string(), image_present: z.boolean().optional(), swarm: z.string().optional(), problem: z.string().optional(), hint: z.string().optional() }))
      .describe('The container engine of --backend docker, then that of each Docker context the settings name (containers.contexts, pools named docker:<context>)'),
    server: z.object({
      version: z.string(),
      url: z.string().optional(),
      api_url: z.string().optional().describe('The HTTP API beside it (same token)'),
      transports: z.array(z.enum(['http', 'stdio'])),
      clients: z.array(z.object({ name: z.string(), version: z.string().optional(), transport: z.enum(['http', 'stdio']), connected_at: z.string() })),
    }),
  }),
  annotations: { readOnlyHint: true },
  async handle(_args, ctx) {
    const report = await ctx.host.doctor();
    const facts = ctx.host.server();
    const problems = report.runners.filter((r) => r.problem).map((r) => r.displayName);
    const ready = report.runners.filter((r) => r.installed && !r.problem).map((r) => r.displayName);
    return {
      structured: {
        state_dir: report.stateDir,
        state_dir_problem: report.stateDirProblem,
        disk: report.disk && { free_bytes: report.disk.freeBytes, total_bytes: report.disk.totalBytes, warning: report.disk.warning },
        node: report.node,
        platform: report.platform,
        runners: report.runners.map((r) => ({
          runner: r.runner,
          display_name: r.displayName,
          binary: r.binary,
          installed: r.installed,
          path: r.path,
          version: r.version,
          problem: r.problem,
          note: r.note,
        })),
        engines: report.engines.map((e) => ({ backend: e.backend, endpoint: e.endpoint, version: e.version, image: e.image, image_present: e.imagePresent, swarm: e.swarm, problem: e.problem, hint: e.hint })),
        server: {
          version: ctx.host.version,
          url: facts.url,
          api_url: facts.url ? apiUrlOf(facts.url) : undefined,
          transports: facts.transports,
          clients: facts.clients.map((c) => ({ name: c.name, version: c.version, transport: c.transport, connected_at: new Date(c.connectedAt).toISOString() })),
        },
      },
      summary: `Ready: ${ready.join(', ') || 'none'}${problems.length ? `; needs attention: ${problems.join(', ')}` : ''}${report.stateDirProblem ? `; state folder: ${report.stateDirProblem}` : ''}${report.disk?.warning ? `; ${report.disk.warning}` : ''}.`,
    };
  },
});

const count = z.number();

/** The lasting counters, as every view shows them. */
export const countersShape = z.object({
  ...Object.fromEntries(COUNTER_NAMES.map((name) => [name, count.describe(COUNTERS[name])])),
  created_at: z.string().describe('When the first counter of this state folder was counted'),
  updated_at: z.string().describe('When a counter last changed'),
  set_aside: z.array(z.string()).optional().describe('Counter files found unreadable and set aside: the counts restarted at created_at, and what was counted before is in them'),
});

export const metricsShape = z.object({
  metrics: countersShape,
  runs: z.object(Object.fromEntries([['total', count], ...RUN_STATUSES.map((s) => [s, count])])).describe('The runs the registry holds now, by status'),
  process: z.object({ since: z.string(), by_tool: z.record(z.string(), z.object({ calls: count, errors: count })) }).describe("This server process's operation calls since it started"),
});

const getMetrics = defineOperation({
  name: 'get_metrics',
  title: 'Get metrics',
  description:
    'Counters that last, shared by every Switchboard process of the state folder (runs started, failed and killed, steers, teams, tasks, goals and their iterations, gate runs and failures, MCP and API calls and errors, tokens and dollars), the runs held now by status, and this process\'s calls per tool.',
  input: z.strictObject({}),
  output: metricsShape,
  annotations: { readOnlyHint: true },
  async handle(_args, ctx) {
    const m = ctx.host.metrics.snapshot();
    const c = m.metrics;
    return {
      structured: m,
      summary: `${m.runs.total} runs held (${m.runs.running} running); since ${c.created_at}: ${c.total_runs} runs started, ${c.total_runs_failed} failed, ${c.total_kills} killed, ${c.total_team_runs} teams, ${c.total_goal_runs} goals, ${c.total_mcp_calls} MCP calls (${c.total_mcp_errors} errors), $${c.total_cost_usd.toFixed(2)}.${c.set_aside ? ` The counters restarted then: ${countersRestartedWhy(c.set_aside)}` : ''}`,
    };
  },
});

export const SYSTEM_OPS = [doctor, getMetrics];
