/** Tables of runs for the chat panel's answers, every cell escaped. Free of `vscode` so it tests in plain Node. */
import { formatDuration, formatTokens, formatUsd } from '../core/render';
import type { RunRecord } from '../core/runs/types';
import type { AgentSummary } from '../ops/schemas';
import { escapeMarkdown } from './chatText';

const usage = ({ usage: u }: AgentSummary): RunRecord['usage'] => ({ inputTokens: u.input_tokens, outputTokens: u.output_tokens, usd: u.usd, usdSource: u.usd_source }) as RunRecord['usage'];

/** Runs as a markdown table narrow enough for the chat view: name, id, status, time, then tokens and spend in one cell. */
export function agentTable(agents: readonly AgentSummary[]): string {
  const header = '| Run | Id | Status | Time | Used |\n|---|---|---|---|---|';
  const cells = (a: AgentSummary): string[] => [a.name, a.id, a.waiting ? `${a.status} (waiting)` : a.status, formatDuration(a.elapsed_ms), [formatTokens(usage(a)), formatUsd(usage(a))].filter(Boolean).join(' ')];
  return `${header}\n${agents.map((a) => `| ${cells(a).map(escapeMarkdown).join(' | ')} |`).join('\n')}\n\n`;
}
