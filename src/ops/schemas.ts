/**
 * The shapes of runs as MCP tools return them (snake_case, times as ISO strings), and their
 * conversion; `toShape` converts any other core value the same way.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { NAME_PATTERN, NAME_RULE } from '../core/git/names';
import { elapsed, formatRetrying } from '../core/render';
import { runnerOfRun, RUNNER_IDS } from '../core/runners/runnerTable';
import { isFinished, RUN_STATUSES, type RunRecord } from '../core/runs/types';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

export const runnerField = z.enum(RUNNER_IDS as [string, ...string[]]);
export const statusField = z.enum(RUN_STATUSES);
export const idField = z.string().min(1).describe('A run id, its name, or a unique id prefix');
export const nameField = z.string().regex(NAME_PATTERN, `must be ${NAME_RULE}`);
/** A folder a caller names: absolute, since a relative one would be taken from the serving process's own folder, which the caller cannot see. */
export const absoluteFolder = z.string().min(1).refine(path.isAbsolute, 'must be an absolute path');

const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A core value as tools show it: camelCase keys in snake_case, times (`…At`, epoch milliseconds) as ISO strings. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [snakeCase(key), key.endsWith('At') && typeof v === 'number' ? iso(v) : snakeKeys(v)]));
}

/**
 * A core value converted by `snakeKeys` and checked against a tool's output shape, keeping only the
 * fields the shape names: a field the core gains later never breaks a client that checks the schema.
 */
export const toShape = <S extends z.ZodType>(shape: S, value: unknown): z.output<S> => shape.parse(snakeKeys(value));

export const usageShape = z.object({
  input_tokens: z.number(),
  output_tokens: z.number(),
  usd: z.number().optional().describe('Cost in US dollars, when reported or estimable'),
  usd_source: z.enum(['reported', 'estimated']).optional(),
  by_model: z
    .record(z.string(), z.object({ input_tokens: z.number(), output_tokens: z.number(), usd: z.number().optional() }))
    .optional()
    .describe('Tokens and estimated cost by model, where the CLI reports them so (Gemini CLI: its router and its main model)'),
});

export const worktreeShape = z
  .object({ folder: z.string(), branch: z.string(), base_commit: z.string(), base_branch: z.string().optional(), workspace_dirty: z.boolean().optional().describe('The folder had uncommitted changes, which the worktree (made from HEAD) does not have') })
  .describe('Its own git worktree and branch (run_diff, run_merge, run_cleanup)');

export const agentShape = z.object({
  id: z.string(),
  name: z.string(),
  runner: z.string(),
  status: statusField,
  pid: z.number().optional(),
  session_id: z.string().optional(),
  model: z.string().optional(),
  cwd: z.string(),
  prompt: z.string().describe('The prompt, secrets redacted, clipped to 500 characters'),
  created_at: z.string(),
  started_at: z.string().optional(),
  ended_at: z.string().optional(),
  elapsed_ms: z.number(),
  usage: usageShape,
  exit_code: z.number().optional(),
  signal: z.string().optional(),
  last_error: z.string().optional(),
  steering: z.enum(['live', 'interrupt-resume', 'none']),
  team: z.string().optional(),
  goal: z.string().optional(),
  task: z.string().optional(),
  compare: z.string().optional().describe('The comparison it is an entry of'),
  worktree: worktreeShape.optional(),
  started_by: z.string().optional().describe('Who asked for the run when it was not a person, e.g. mcp:<client>'),
  waiting: z.string().optional().describe('What the run waits for from a person, e.g. "approval to use Bash: npm publish" (answer with approve_agent)'),
  retrying: z
    .object({ text: z.string(), status: z.number().optional(), attempt: z.number().optional(), of: z.number().optional(), delay_ms: z.number().optional(), message: z.string().optional(), since: z.string() })
    .optional()
    .describe('While the agent CLI retries a failed model call on its own, as it says: text "retrying (429, attempt 3 of 10)", the HTTP status, which retry of how many, its wait, and since when'),
  permission_denials: z
    .array(z.object({ tool: z.string(), what: z.string().optional() }))
    .optional()
    .describe('Tool calls the agent CLI refused on its own in this headless run (its permission mode did not allow them), e.g. Bash with its command'),
});
export type AgentSummary = z.input<typeof agentShape>;

/** How many characters of a brief's prompt and last error are kept. */
const BRIEF_TEXT = 200;

/**
 * A run as list_agents gives it: what a list shows and filters by, about 30% smaller than the whole
 * summary (a page of a thousand is read back by every poll); get_agent_status gives the rest.
 */
export const agentBriefShape = agentShape
  .extend({
    pid: z.number().optional().describe('While the run is not finished'),
    prompt: z.string().describe(`The prompt, secrets redacted, clipped to ${BRIEF_TEXT} characters`),
    usage: usageShape
      .pick({ input_tokens: true, output_tokens: true, usd: true })
      .extend({ usd_estimated: z.literal(true).optional().describe("Set when usd is Switchboard's estimate from its price table, not what the agent CLI reported") }),
    last_error: z.string().optional().describe(`Clipped to ${BRIEF_TEXT} characters`),
    branch: z.string().optional().describe('The branch of its own git worktree, when it has one'),
    retrying: z.string().optional().describe('While the agent CLI retries a failed model call on its own, as it says: "retrying (429, attempt 3 of 10)"'),
    refused_tools: z.number().optional().describe('How many tool calls the agent CLI refused on its own (get_agent_status lists them)'),
  })
  // In this order: the fields a list needs, as get_agent_status has them (and a few of its own).
  .pick({
    id: true, name: true, runner: true, status: true, pid: true, model: true, cwd: true, prompt: true, created_at: true, ended_at: true, elapsed_ms: true, usage: true,
    exit_code: true, signal: true, last_error: true, team: true, goal: true, task: true, compare: true, branch: true, started_by: true, waiting: true, retrying: true, refused_tools: true,
  });
export type AgentBrief = z.input<typeof agentBriefShape>;

const clipped = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text);

export function agentSummary(run: RunRecord, now = Date.now()): AgentSummary {
  return {
    id: run.id,
    name: run.name,
    runner: run.runner,
    status: run.status,
    pid: run.agent?.pid,
    session_id: run.sessionId,
    model: run.model,
    cwd: run.cwd,
    prompt: clipped(run.prompt, 500),
    created_at: iso(run.createdAt)!,
    started_at: iso(run.startedAt),
    ended_at: iso(run.endedAt),
    elapsed_ms: elapsed(run, now),
    usage: usageSummary(run.usage),
    exit_code: run.exitCode,
    signal: run.signal,
    last_error: run.lastError,
    steering: runnerOfRun(run)?.steering ?? 'none',
    team: run.links.team,
    goal: run.links.goal,
    task: run.links.task,
    compare: run.links.compare,
    worktree: run.worktree && { folder: run.worktree.folder, branch: run.worktree.branch, base_commit: run.worktree.baseCommit, base_branch: run.worktree.baseBranch, workspace_dirty: run.worktree.workspaceDirty },
    started_by: run.startedBy,
    waiting: run.status === 'running' ? run.waiting?.reason : undefined,
    retrying: run.status === 'running' && run.retrying ? retryingSummary(run.retrying) : undefined,
    permission_denials: run.permissionDenials?.map((d) => ({ tool: d.tool, what: d.what })),
  };
}

/** A run's brief (see agentBriefShape), from its redacted record. */
export function agentBrief(run: RunRecord, now = Date.now()): AgentBrief {
  return {
    id: run.id,
    name: run.name,
    runner: run.runner,
    status: run.status,
    pid: isFinished(run.status) ? undefined : run.agent?.pid,
    model: run.model,
    cwd: run.cwd,
    prompt: clipped(run.prompt, BRIEF_TEXT),
    created_at: iso(run.createdAt)!,
    ended_at: iso(run.endedAt),
    elapsed_ms: elapsed(run, now),
    usage: { input_tokens: run.usage.inputTokens, output_tokens: run.usage.outputTokens, usd: run.usage.usd, ...(run.usage.usdSource === 'estimated' ? { usd_estimated: true as const } : {}) },
    exit_code: run.exitCode,
    signal: run.signal,
    last_error: run.lastError === undefined ? undefined : clipped(run.lastError, BRIEF_TEXT),
    team: run.links.team,
    goal: run.links.goal,
    task: run.links.task,
    compare: run.links.compare,
    branch: run.worktree?.branch,
    started_by: run.startedBy,
    waiting: run.status === 'running' ? run.waiting?.reason : undefined,
    retrying: run.status === 'running' && run.retrying ? formatRetrying(run.retrying) : undefined,
    refused_tools: run.permissionDenials?.length || undefined,
  };
}

function usageSummary(usage: RunRecord['usage']): z.input<typeof usageShape> {
  const byModel = usage.models && Object.fromEntries(Object.entries(usage.models).map(([name, u]) => [name, { input_tokens: u.inputTokens, output_tokens: u.outputTokens, usd: u.usd }]));
  return { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, usd: usage.usd, usd_source: usage.usdSource, ...(byModel ? { by_model: byModel } : {}) };
}

function retryingSummary(r: NonNullable<RunRecord['retrying']>): NonNullable<AgentSummary['retrying']> {
  return { text: formatRetrying(r), status: r.status, attempt: r.attempt, of: r.of, delay_ms: r.delayMs, message: r.message, since: iso(r.since)! };
}

/** One event as stream_agent_output returns it: the fields of each `type` (see AgentEventBody in the core). */
export const eventShape = z.object({
  seq: z.number().describe('The cursor position of this event'),
  ts: z.number().optional().describe('Milliseconds since the epoch (parsed events only)'),
  type: z.enum(['session', 'text', 'tool_call', 'tool_result', 'usage', 'result', 'retry', 'waiting', 'approval', 'raw', 'steer', 'control', 'spawn', 'exit', 'error']),
  text: z.string().optional(),
  sessionId: z.string().optional(),
  model: z.string().optional(),
  name: z.string().optional(),
  callId: z.string().optional(),
  input: z.json().optional(),
  output: z.string().optional(),
  isError: z.boolean().optional(),
  inputTokens: z.number().optional(),
  provisional: z.boolean().optional().describe('usage: one model call of a turn still under way; the turn\'s own report replaces it'),
  messageId: z.string().optional(),
  outputTokens: z.number().optional(),
  usd: z.number().optional(),
  ok: z.boolean().optional(),
  error: z.string().optional(),
  reason: z.string().optional(),
  request: z.object({ id: z.string(), tool: z.string(), input: z.json().optional() }).optional(),
  tool: z.string().optional(),
  allow: z.boolean().optional(),
  stream: z.enum(['stdout', 'stderr']).optional(),
  message: z.string().optional(),
  delivery: z.enum(['live', 'interrupt-resume']).optional(),
  source: z.string().optional(),
  action: z.enum(['interrupt', 'kill', 'limits']).optional(),
  limits: z.object({ maxUsd: z.number().optional(), maxTokens: z.number().optional(), timeoutMs: z.number().optional(), endsAt: z.number().optional(), goal: z.string().optional() }).optional().describe("control limits: the run's hard limits from then on"),
  force: z.boolean().optional(),
  pid: z.number().optional(),
  commandLine: z.array(z.string()).optional(),
  resumed: z.boolean().optional(),
  exitCode: z.number().optional(),
  signal: z.string().optional(),
  status: z.number().optional().describe('retry: the HTTP status of the failed model call'),
  attempt: z.number().optional().describe('retry: which retry this is'),
  of: z.number().optional().describe('retry: how many retries at most'),
  delayMs: z.number().optional().describe('retry: how long the CLI waits first'),
  models: z.record(z.string(), z.object({ inputTokens: z.number(), outputTokens: z.number(), usd: z.number().optional() })).optional().describe('usage: tokens by model'),
  denials: z.array(z.object({ tool: z.string(), what: z.string().optional(), id: z.string().optional() })).optional().describe('result: tool calls the CLI refused in this turn'),
});
