/** Turns a run's events into readable lines for people (CLI logs, the editor's output view). */
import { formatBudgetTime } from './goals/duration';
import { toolTarget } from './runners/types';
import type { AgentEvent, PermissionDenial, RunRecord, RunRetrying } from './runs/types';

const MAX_TOOL_TEXT = 300;

function clip(text: string, max = MAX_TOOL_TEXT): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function toolInput(input: unknown): string {
  if (input === undefined || input === null) return '';
  if (typeof input === 'string') return clip(input);
  return clip(toolTarget(input) ?? JSON.stringify(input));
}

/** One event as zero or more lines; `raw` output is shown only when asked for. */
export function renderEvent(event: AgentEvent, options: { showRaw?: boolean } = {}): string[] {
  switch (event.type) {
    case 'session':
      return [`· session ${event.sessionId}${event.model ? ` (${event.model})` : ''}`];
    case 'text':
      return event.text.split('\n');
    case 'tool_call':
      return [`→ ${event.name} ${toolInput(event.input)}`.trimEnd()];
    case 'tool_result':
      return [`${event.isError ? '✗' : '←'} ${clip(event.output) || '(no output)'}`];
    case 'usage':
      return [];
    case 'result':
      return [event.ok ? '✓ finished' : `✗ ${event.error ?? 'failed'}`, ...(event.denials?.length ? [`! ${formatDenials(event.denials)}`] : [])];
    case 'retry':
      return [`… ${formatRetrying(event)}${event.delayMs !== undefined ? ` in ${formatDuration(event.delayMs)}` : ''}${event.message ? `: ${event.message}` : ''}`];
    case 'waiting':
      return [`… waiting for ${event.reason}`];
    case 'raw':
      return options.showRaw || event.stream === 'stderr' ? [`${event.stream === 'stderr' ? '! ' : ''}${event.text}`] : [];
    case 'approval':
      return [`» ${event.allow ? 'allowed' : 'denied'} ${event.tool} (${event.source})${event.message ? `: ${event.message}` : ''}`];
    case 'steer':
      return [`» steered by ${event.source} (${event.delivery}): ${event.message}`];
    case 'control':
      return [event.limits ? `» limits now ${formatLimits(event.limits) || 'none'}, by ${event.source}` : `» ${event.action}${event.force ? ' (forced)' : ''} by ${event.source}`];
    case 'spawn':
      return [`· ${event.resumed ? 'resumed' : 'started'} pid ${event.pid}${event.source ? ` (asked by ${event.source})` : ''}`];
    case 'exit':
      return [`· process exited${event.signal ? ` by ${event.signal}` : ` with code ${event.exitCode}`}`];
    case 'error':
      return [`! ${event.message}`];
  }
}

/** `retrying (429, attempt 3 of 10)`, with what the CLI said of it. */
export function formatRetrying(retrying: Omit<RunRetrying, 'since'>): string {
  const attempt = retrying.attempt === undefined ? undefined : `attempt ${retrying.attempt}${retrying.of !== undefined ? ` of ${retrying.of}` : ''}`;
  const details = [retrying.status, attempt].filter((d) => d !== undefined).join(', ');
  return details ? `retrying (${details})` : 'retrying';
}

/** The status, and while it runs what the agent CLI does about a failed model call: `running, retrying (429, attempt 3 of 10)`. */
export function formatStatus(run: Pick<RunRecord, 'status' | 'retrying'>): string {
  return run.status === 'running' && run.retrying ? `running, ${formatRetrying(run.retrying)}` : run.status;
}

/**
 * What a kill stopped, after the run's name: `(pid 123) and its process tree`; for a run killed while
 * it waited in line for a slot, that its agent never started; a container run's agent has no pid here.
 */
export function formatKilled(run: Pick<RunRecord, 'status' | 'pool' | 'container'>, pid: number | undefined): string {
  if (pid !== undefined) return `(pid ${pid}) and its process tree`;
  if (run.status === 'queued') return `before its agent started (it left the line of pool ${run.pool ?? 'default'})`;
  return run.container ? 'and its container' : 'and its process tree';
}

/** `refused 2 tool calls: Bash (rm -rf /tmp/x), WebFetch (https://…)`. */
export function formatDenials(denials: PermissionDenial[]): string {
  const calls = denials.map((d) => (d.what ? `${d.tool} (${clip(d.what, 120)})` : d.tool));
  return `refused ${denials.length === 1 ? 'a tool call' : `${denials.length} tool calls`}: ${calls.join(', ')}`;
}

/** Tokens and estimated cost by model: `gemini-3.8-flash 240 in / 60 out ~$0.0009, gemini-3.5-flash-lite 90 in / 5 out ~$0.0000`. */
export function formatModels(models: NonNullable<RunRecord['usage']['models']>): string {
  return Object.entries(models).map(([name, u]) => `${name} ${u.inputTokens} in / ${u.outputTokens} out${u.usd !== undefined ? ` ${formatUsd({ ...u, usdSource: 'estimated' })}` : ''}`).join(', ');
}

/**
 * A count with its thousands grouped (`10,000`), as `toLocaleString('en-US')` writes it without its
 * cost: the first number a process formats through Intl initialises ICU's number format (~15 ms),
 * which the Agents view's Older Runs row would pay while VS Code waits for the first rows.
 */
export function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : String(n);
}

export function formatUsd(usage: RunRecord['usage']): string {
  if (usage.usd === undefined) return '';
  const amount = usage.usd < 0.01 && usage.usd > 0 ? usage.usd.toFixed(4) : usage.usd.toFixed(2);
  return `${usage.usdSource === 'estimated' ? '~' : ''}$${amount}`;
}

export function formatTokens(usage: RunRecord['usage']): string {
  const total = usage.inputTokens + usage.outputTokens;
  if (total === 0) return '';
  return total >= 1000 ? `${(total / 1000).toFixed(total >= 10_000 ? 0 : 1)}k tok` : `${total} tok`;
}

/** A run's hard limits in one line, as they are typed (`$0.50 · 200000 tokens · 30m`), or '' for none. */
export function formatLimits(limits: RunRecord['limits']): string {
  if (!limits) return '';
  const parts: string[] = [];
  if (limits.maxUsd !== undefined) parts.push(`$${limits.maxUsd.toFixed(2)}`);
  if (limits.maxTokens !== undefined) parts.push(`${limits.maxTokens} tokens`);
  if (limits.timeoutMs !== undefined) parts.push(limits.timeoutMs < 1000 ? `${limits.timeoutMs} ms` : formatBudgetTime(limits.timeoutMs));
  return parts.join(' · ');
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function elapsed(run: RunRecord, now = Date.now()): number {
  const start = run.startedAt ?? run.createdAt;
  return (run.endedAt ?? now) - start;
}

/** A Markdown table (`|` in a cell escaped). */
export function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Aligned columns, the last one left ragged. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
