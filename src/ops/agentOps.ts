/** The agent tools: start, list, inspect, stream, wait for, steer, interrupt and kill runs. */
import { z } from 'zod';
import { runLimits } from '../core/runs/runLimitsInput';
import { RUNNER_IDS } from '../core/runners/runnerTable';
import { SwitchboardError } from '../core/errors';
import { elapsed, formatDenials, formatDuration, formatKilled, formatStatus, formatTokens, formatUsd } from '../core/render';
import type { RunRegistry } from '../core/registry/registry';
import { indexAfter, isPlace, placeAfter, type RunBrief } from '../core/runs/runBrief';
import { isFinished, type RunRecord } from '../core/runs/types';
import { deepFreeze } from './answerText';
import { outputPage, readableTail, redactedRun, runRedactor } from './runOutput';
import { absoluteFolder, agentBrief, type AgentBrief, agentBriefShape, agentShape, agentSummary, eventShape, idField, nameField, runnerField, statusField, worktreeShape } from './schemas';
import { defineOperation, type OpContext } from './operation';

const WAIT_DEFAULT_MS = 50_000;
const PROGRESS_EVERY_MS = 5_000;

/** The run as it is now (it may have been removed meanwhile). */
function latest(ctx: OpContext, run: RunRecord): RunRecord {
  try {
    return ctx.sb.runs.resolve(run.id);
  } catch {
    return run;
  }
}

/** What a run in a worktree of its own should know: its branch, and that uncommitted changes of its folder stayed out. */
const worktreeNote = ({ worktree: wt }: RunRecord): string =>
  wt ? ` It works on branch ${wt.branch} in ${wt.folder}${wt.workspaceDirty ? ` (made from HEAD: the uncommitted changes of ${wt.workspace} are not in it)` : ''}.` : '';

const oneLine = (run: RunRecord): string =>
  [`${run.name} (${run.id}) ${formatStatus(run)}`, formatDuration(elapsed(run)), formatTokens(run.usage), formatUsd(run.usage), run.permissionDenials?.length ? formatDenials(run.permissionDenials) : ''].filter(Boolean).join(', ');

/** The one line, and why the run ended when it did not end done: what a client that reads only the text needs most. */
const oneLineWhy = (run: RunRecord): string => `${oneLine(run)}${run.lastError && run.status !== 'done' ? ` — ${run.lastError}` : ''}`;

const runAgent = defineOperation({
  name: 'run_agent',
  title: 'Run an agent',
  description:
    `Start a coding agent CLI (${RUNNER_IDS.filter((r) => r !== 'custom').join(', ')}, or custom with \`command\`) on a prompt in a folder. Returns at once with its id; follow it with wait_agent, stream_agent_output or get_agent_status.`,
  input: z.strictObject({
    runner: runnerField.describe('Which agent CLI to run'),
    prompt: z.string().trim().min(1, 'must say what the agent should do').describe('What the agent should do'),
    name: nameField.optional().describe('A unique name for the run'),
    cwd: absoluteFolder.optional().describe('Absolute folder to work in (default: the workspace folder)'),
    command: z.string().min(1).optional().describe('For the custom runner: the command template; {prompt} is replaced, no shell is involved'),
    resume_session_id: z.string().min(1).optional().describe("Continue this session of the runner's CLI"),
    model: z.string().min(1).optional().describe("The model the agent should use (default: the runner's configured one); not for the custom runner"),
    worktree: z.boolean().optional().describe("Work in a git worktree of its own, on branch switchboard/run/<name> made from the folder's HEAD (uncommitted changes of the folder stay out of it); then run_diff, run_merge, run_cleanup"),
    pool: z.string().min(1).optional().describe('The admission pool (default: default); when it is full the run waits in line, status queued'),
    backend: z.string().regex(/^(local|docker|swarm)(:.+)?$/, 'must be local, docker, docker:<context>, swarm or swarm:<context>').optional().describe('Where it runs: local (default), docker (a container; docker:<context> for a Docker context), swarm (a replicated-job service)'),
    max_usd: z.number().positive().optional().describe('Stop the run once it has cost more than this many US dollars (as reported, or estimated from the price table)'),
    max_tokens: z.number().int().positive().optional().describe('Stop the run once it has used more than this many tokens'),
    timeout: z.string().optional().describe('Stop the run after this long: 30m, 1h, 90s'),
  }),
  output: z.object({ id: z.string(), name: z.string(), pid: z.number().optional(), session_id: z.string().optional(), status: statusField, model: z.string().optional(), worktree: worktreeShape.optional() }),
  annotations: { destructiveHint: false, openWorldHint: true },
  async handle(args, ctx) {
    ctx.host.guard('start');
    const cwd = args.cwd ?? ctx.host.defaultCwd();
    if (!cwd) throw new SwitchboardError('bad_cwd', '`cwd` is required: there is no workspace folder to default to.', 'Pass the absolute folder the agent should work in.');
    const run = await ctx.sb.runs.run({
      runner: args.runner,
      prompt: args.prompt,
      name: args.name,
      cwd,
      command: args.command,
      resumeSessionId: args.resume_session_id,
      ...(args.model ? { model: args.model } : {}),
      ...(args.worktree ? { worktree: true } : {}),
      limits: runLimits({ maxUsd: args.max_usd, maxTokens: args.max_tokens, timeout: args.timeout }),
      pool: args.pool,
      ...(args.backend ? { backend: args.backend } : {}),
      startedBy: ctx.source,
    });
    return {
      structured: { id: run.id, name: run.name, pid: run.agent?.pid, session_id: run.sessionId, status: run.status, model: run.model, worktree: agentSummary(run).worktree },
      summary:
        (run.status === 'queued'
          ? `Queued ${run.name} (id ${run.id}) in pool ${run.pool}: it starts by itself when a slot frees (see pools_status).`
          : !run.agent && isFinished(run.status)
            ? `${run.name} (id ${run.id}) ended ${run.status} before its agent started: ${redactedRun(ctx.sb.runs, run).lastError ?? 'nothing ran'}.`
            : `Started ${run.name} (id ${run.id}, pid ${run.agent?.pid ?? '?'}) with ${run.runner}${run.model ? ` (${run.model})` : ''} in ${run.cwd}.` +
              // An agent that ended as soon as it started (a wrong command, say): said here, not left to the next call.
              (isFinished(run.status) ? ` It has ended already: ${oneLineWhy(redactedRun(ctx.sb.runs, run))}.` : '')) + worktreeNote(run),
    };
  },
});

const LIST_DEFAULT = 50;

/**
 * Briefs of finished runs, by their (redacted, cached) record, checked against agentBriefShape once: a
 * page of a thousand is mostly these. Frozen: their JSON text is kept with them (see answerText).
 */
const finishedBriefs = new WeakMap<RunRecord, AgentBrief>();

/** A run's brief as list_agents gives it, checked against its shape (not checked again with the answer: see OpAnswer.checkedItems). */
export function listedBrief(registry: RunRegistry, run: RunRecord, now = Date.now()): AgentBrief {
  const redacted = redactedRun(registry, run);
  if (!isFinished(run.status)) return agentBriefShape.parse(agentBrief(redacted, now));
  let brief = finishedBriefs.get(redacted);
  if (!brief) finishedBriefs.set(redacted, (brief = deepFreeze(agentBriefShape.parse(agentBrief(redacted, now)))));
  return brief;
}

interface ListedPage {
  query: string;
  generation: number;
  redaction: unknown;
  answer: { structured: { count: number; agents: AgentBrief[]; next_offset?: number; next_cursor?: string }; summary: string };
}

/**
 * The last page list_agents answered, by registry, kept while no record changed (its generation)
 * nor the redaction config, when every run on it had finished (a running one's elapsed time moves):
 * the same question again (a client polling the list) is answered without going over the runs.
 */
const lastPages = new WeakMap<object, ListedPage>();

const listAgents = defineOperation({
  name: 'list_agents',
  title: 'List agents',
  description:
    `The runs Switchboard knows, running first then newest, optionally filtered; ${LIST_DEFAULT} at a time unless \`limit\` says otherwise (\`count\` is how many match). ` +
    'To go through them all, pass each page\'s `next_cursor` as `cursor`: no run is skipped when runs start or end between the calls (one listed while running may come again, ended); `offset` jumps to a position, which moves as runs start and end. ' +
    'Each run is a brief (prompt and last error clipped, its branch, how many tool calls were refused); get_agent_status gives the rest: session id, steering, the worktree, the refused calls, cost by model, the whole retry.',
  input: z.strictObject({
    status: statusField.optional(),
    runner: runnerField.optional().describe('Only the runs of this agent CLI'),
    team: z.string().optional(),
    goal: z.string().optional(),
    limit: z.number().int().min(1).max(1000).optional().describe(`Most runs to return (default ${LIST_DEFAULT})`),
    offset: z.number().int().min(0).optional().describe('How many matching runs to skip (the next_offset of the previous page); not with `cursor`'),
    cursor: z.string().refine(isPlace, 'must be a next_cursor of list_agents, as it was given').optional().describe('The next_cursor of the previous page: the runs after its last one'),
  }),
  output: z.object({
    count: z.number(),
    agents: z.array(agentBriefShape),
    next_offset: z.number().optional().describe('The position after this page, while there are more'),
    next_cursor: z.string().optional().describe('The place after this page, while there are more: pass it as `cursor`'),
  }),
  annotations: { readOnlyHint: true },
  async handle({ limit = LIST_DEFAULT, offset, cursor, ...filter }, ctx) {
    if (offset !== undefined && cursor !== undefined) throw new SwitchboardError('invalid_argument', 'list_agents takes `offset` or `cursor`, not both.', 'Pass the next_cursor of the previous page as `cursor` alone.');
    const registry = ctx.sb.runs;
    const query = JSON.stringify([filter.status, filter.runner, filter.team, filter.goal, offset, cursor, limit]);
    const last = lastPages.get(registry);
    if (last && last.query === query && last.generation === registry.generation && last.redaction === registry.config.redaction) {
      return { structured: { ...last.answer.structured }, summary: last.answer.summary, checkedItems: 'agents' };
    }
    const now = Date.now();
    // Briefs: whole records are read for the page only.
    let runs = ctx.sb.runs.briefs(filter);
    const startOf = (listed: readonly RunBrief[]): number => (cursor === undefined ? (offset ?? 0) : indexAfter(listed, cursor));
    let start = startOf(runs);
    // The page is compared with its files (see RunRegistry.verify).
    if (ctx.sb.runs.verify(runs.slice(start, start + limit))) start = startOf((runs = ctx.sb.runs.briefs(filter)));
    // The generation the briefs were taken at: reading whole records can change it (a file found gone or changed).
    const generation = registry.generation;
    const listed = runs.slice(start, start + limit);
    const page = ctx.sb.runs.wholeOf(listed);
    const byStatus = new Map<string, number>();
    for (const r of runs) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    const counts = [...byStatus].map(([s, n]) => `${n} ${s}`).join(', ');
    const more = start + listed.length < runs.length;
    const answer = {
      // Briefs each checked when made: the numbers around them are checked by invokeOperation.
      structured: {
        count: runs.length,
        agents: page.map((r) => listedBrief(registry, r, now)),
        ...(more ? { next_offset: start + listed.length, next_cursor: placeAfter(listed.at(-1)!) } : {}),
      },
      summary: `${runs.length} agent${runs.length === 1 ? '' : 's'}${counts ? `: ${counts}` : ''}${more ? `; showing ${start + 1}-${start + listed.length}` : ''}.`,
    };
    if (page.every((r) => isFinished(r.status)) && registry.generation === generation) lastPages.set(registry, { query, generation, redaction: registry.config.redaction, answer: deepFreeze(answer) });
    else lastPages.delete(registry);
    return { ...answer, checkedItems: 'agents' };
  },
});

const getAgentStatus = defineOperation({
  name: 'get_agent_status',
  title: 'Get an agent status',
  description: "One run in detail: status, usage, exit, its command line, the final answer if any, and the last lines of its readable output.",
  input: z.strictObject({ id: idField, tail_lines: z.number().int().min(0).max(500).optional().describe('How many readable output lines to include (default 40)') }),
  output: agentShape.extend({
    command_line: z.array(z.string()),
    result_text: z.string().optional(),
    output_bytes: z.number().describe("Bytes the agent printed, before redaction, as of the record's last update (at most a second behind while it runs); not where stream_agent_output's byte cursor ends, which counts the redacted text"),
    event_count: z.number().describe("Events recorded, as of the record's last update: for a runner with parsed events, stream_agent_output's last seq"),
    output_tail: z.string(),
  }),
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const registry = ctx.sb.runs;
    const found = registry.resolve(args.id);
    // One redactor for the whole answer: a secret has one placeholder in all of it.
    const redactor = runRedactor(registry, found);
    const run = redactedRun(registry, found, redactor);
    return {
      structured: {
        ...agentSummary(run),
        command_line: run.commandLine,
        result_text: run.resultText,
        output_bytes: run.outputBytes,
        event_count: run.eventCount,
        output_tail: readableTail(registry, found, args.tail_lines ?? 40, redactor),
      },
      summary: oneLineWhy(run),
    };
  },
});

const streamAgentOutput = defineOperation({
  name: 'stream_agent_output',
  title: 'Stream agent output',
  description:
    "A run's parsed events (text, tool_call, tool_result, usage, result, waiting, steer, control, spawn, exit, error, raw) after `cursor`. Call again with `next_cursor` until `complete` is true. For plain-text runners (custom) the events are its output lines (type raw) and the cursor is a byte offset.",
  input: z.strictObject({
    id: idField,
    cursor: z.number().int().min(0).optional().describe('The next_cursor of the previous call (0 or absent: from the start)'),
    limit: z.number().int().min(1).max(1000).optional().describe('Most events to return (default 200)'),
  }),
  output: z.object({ id: z.string(), status: statusField, events: z.array(eventShape), next_cursor: z.number(), complete: z.boolean() }),
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const registry = ctx.sb.runs;
    const run = registry.resolve(args.id);
    const cursor = args.cursor ?? 0;
    const { events, nextCursor, complete } = outputPage(registry, run, cursor, args.limit ?? 200);
    return {
      // Tool inputs are JSON as the CLI printed them, so they fit the schema's JSON value.
      structured: { id: run.id, status: run.status, events: events as z.input<typeof eventShape>[], next_cursor: nextCursor, complete },
      summary: `${events.length} event${events.length === 1 ? '' : 's'} of ${run.name} after ${cursor}; ${complete ? 'complete' : `next_cursor ${nextCursor}`}.`,
    };
  },
});

async function waitWithProgress(run: RunRecord, timeoutMs: number, ctx: OpContext): Promise<{ record: RunRecord; timedOut: boolean }> {
  const registry = ctx.sb.runs;
  const started = Date.now();
  let step = 0;
  const ticker = setInterval(() => {
    const now = latest(ctx, run);
    void ctx.progress(++step, `${oneLine(now)}; waited ${formatDuration(Date.now() - started)}`);
  }, PROGRESS_EVERY_MS);
  const aborted = new Promise<{ record: RunRecord; timedOut: boolean }>((resolve) =>
    ctx.signal.addEventListener('abort', () => resolve({ record: run, timedOut: true }), { once: true }),
  );
  try {
    return await Promise.race([registry.wait(run.id, timeoutMs), aborted]);
  } finally {
    clearInterval(ticker);
  }
}

const waitAgent = defineOperation({
  name: 'wait_agent',
  title: 'Wait for an agent',
  description: `Wait until a run ends (done, failed, killed, orphaned) or timeout_ms passes (default ${WAIT_DEFAULT_MS / 1000} s, so that clients with a one-minute request timeout get an answer; call again to keep waiting). Sends progress notifications every ${PROGRESS_EVERY_MS / 1000} s when the request carries a progress token.`,
  input: z.strictObject({ id: idField, timeout_ms: z.number().int().min(0).max(3_600_000).optional().describe(`How long to wait at most (default ${WAIT_DEFAULT_MS})`) }),
  output: z.object({ timed_out: z.boolean(), agent: agentShape, result_text: z.string().optional() }),
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const run = ctx.sb.runs.resolve(args.id);
    const { record, timedOut } = await waitWithProgress(run, args.timeout_ms ?? WAIT_DEFAULT_MS, ctx);
    const final = redactedRun(ctx.sb.runs, timedOut ? latest(ctx, record) : record);
    return {
      structured: { timed_out: timedOut, agent: agentSummary(final), result_text: final.resultText },
      summary: timedOut ? `timed_out: ${oneLine(final)} is still going.` : `${oneLineWhy(final)}.`,
    };
  },
});

const steerAgent = defineOperation({
  name: 'steer_agent',
  title: 'Steer an agent',
  description: "Give a running agent a new instruction: live where the CLI allows it (Claude Code, Qwen Code, Codex over its app-server, CLIs over ACP), else by interrupting it and resuming its session with the message (one-shot JSON runs).",
  input: z.strictObject({ id: idField, message: z.string().trim().min(1, 'must say what the agent should do differently') }),
  output: z.object({ id: z.string(), name: z.string(), delivery: z.enum(['live', 'interrupt-resume']) }),
  annotations: { destructiveHint: false },
  async handle(args, ctx) {
    ctx.host.guard('steer');
    const run = ctx.sb.runs.resolve(args.id);
    const { delivery } = await ctx.sb.runs.steer(run.id, args.message, ctx.source);
    return { structured: { id: run.id, name: run.name, delivery }, summary: `Steered ${run.name} (${delivery === 'live' ? 'live on its input' : 'interrupted and resumed with the message'}).` };
  },
});

const approveAgent = defineOperation({
  name: 'approve_agent',
  title: "Answer an agent's approval request",
  description:
    "Allow or deny the tool call a run waits on (its `waiting` field). Runs started from VS Code ask about tool calls their CLI would otherwise refuse: Claude Code's outside its permission mode, Codex's outside its sandbox (over its app-server), those of CLIs over ACP; headless runs never ask. Answers the oldest request; a denial's `message` is what the agent is told (CLIs over ACP are not told a reason).",
  input: z.strictObject({ id: idField, allow: z.boolean(), message: z.string().min(1).optional().describe('For a denial: why, or what to do instead') }),
  output: z.object({ id: z.string(), name: z.string(), tool: z.string(), allow: z.boolean() }),
  annotations: { destructiveHint: true },
  async handle(args, ctx) {
    ctx.host.guard('steer');
    const run = ctx.sb.runs.resolve(args.id);
    const { tool, allow } = await ctx.sb.runs.approve(run.id, args.allow, ctx.source, args.message);
    return { structured: { id: run.id, name: run.name, tool, allow }, summary: `${allow ? 'Allowed' : 'Denied'} ${run.name}'s ${tool} call.` };
  },
});

const interruptAgent = defineOperation({
  name: 'interrupt_agent',
  title: 'Interrupt an agent',
  description: "Stop a running agent's current turn the way its CLI understands (its control protocol, else SIGINT). Claude Code and Qwen Code stay alive for the next message; others end.",
  input: z.strictObject({ id: idField }),
  output: z.object({ id: z.string(), name: z.string(), delivered: z.enum(['protocol', 'signal']) }),
  async handle(args, ctx) {
    const run = ctx.sb.runs.resolve(args.id);
    const { delivered } = await ctx.sb.runs.interrupt(run.id, ctx.source);
    return { structured: { id: run.id, name: run.name, delivered }, summary: `Interrupted ${run.name} (${delivered === 'protocol' ? "through its CLI's control protocol" : 'SIGINT'}).` };
  },
});

const killAgent = defineOperation({
  name: 'kill_agent',
  title: 'Kill an agent',
  description: "Stop a run and its whole process tree: its own interrupt or SIGINT first, then SIGTERM and SIGKILL after the grace time; `force` skips the grace.",
  input: z.strictObject({ id: idField, force: z.boolean().optional() }),
  output: z.object({ id: z.string(), name: z.string(), killed: z.boolean(), pid: z.number().optional(), status: statusField }),
  annotations: { destructiveHint: true },
  async handle(args, ctx) {
    const run = ctx.sb.runs.resolve(args.id);
    const result = await ctx.sb.runs.kill(run.id, { force: args.force, source: ctx.source });
    return {
      structured: { id: run.id, name: run.name, ...result },
      summary: result.killed ? `Killed ${run.name} ${formatKilled(run, result.pid)}.` : `${run.name} was not running (${result.status}); nothing to kill.`,
    };
  },
});

export const AGENT_OPS = [runAgent, listAgents, getAgentStatus, streamAgentOutput, waitAgent, steerAgent, approveAgent, interruptAgent, killAgent];
