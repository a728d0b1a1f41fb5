/** Tables of runs for the chat panel's answers, every cell escaped. Free of `vscode` so it tests in plain Node. */
import { formatDuration, formatTokens, formatUsd } from '../core/render';
import type { RunRecord } from '../core/runs/types';
import type { AgentBrief } from '../ops/schemas';
import { escapeMarkdown } from './chatText';

// An estimated cost is marked (~) as everywhere else.
const usage = ({ usage: u }: AgentBrief): RunRecord['usage'] => ({ inputTokens: u.input_tokens, outputTokens: u.output_tokens, usd: u.usd, ...(u.usd_estimated ? { usdSource: 'estimated' as const } : {}) });

/** Runs as a markdown table narrow enough for the chat view: name, id, status, time, then tokens and spend in one cell. */
export function agentTable(agents: readonly AgentBrief[]): string {
  const header = '| Run | Id | Status | Time | Used |\n|---|---|---|---|---|';
  const cells = (a: AgentBrief): string[] => [a.name, a.id, a.waiting ? `${a.status} (waiting)` : a.status, formatDuration(a.elapsed_ms), [formatTokens(usage(a)), formatUsd(usage(a))].filter(Boolean).join(' ')];
  return `${header}\n${agents.map((a) => `| ${cells(a).map(escapeMarkdown).join(' | ')} |`).join('\n')}\n\n`;
}
