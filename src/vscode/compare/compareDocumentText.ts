/**
 * A comparison as VS Code's document shows it: the table (as `compare show --format md` prints it),
 * then a section per contender (its run, branch, changes and each gate's result), whose heading line
 * carries that contender's actions (Open Diff, Merge…, Show Output, Remove Worktree…) as code lenses.
 */
import { renderCompareMarkdown } from '../../core/compare/compareText';
import type { CompareRow, CompareView } from '../../core/compare/compareRecord';
import { formatDuration } from '../../core/render';
import { isFinished, type RunStatus } from '../../core/runs/types';

/** A contender's section: the line of its heading (from 0) and what its actions need. */
export interface ContenderSection {
  line: number;
  runId?: string;
  name?: string;
  /** Its run ended (so it can be merged and its worktree removed). */
  ended: boolean;
}

export interface CompareDocument {
  text: string;
  sections: ContenderSection[];
}

const END = 'Each run below has its actions above its heading: **Open Diff**, **Merge…** (once it has ended), **Show Output** and **Remove Worktree…**; its row in the Agents view has them too.';

const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();

function sectionLines(row: CompareRow, gates: number): string[] {
  const who = `${row.runner}${row.model ? ` (${row.model})` : ''}`;
  if (!row.runId) return [`### ${who}: not started`, '', flat(row.error ?? 'it did not start')];
  const lines = [`### ${row.name ?? row.runId}: ${who}, ${row.status}`, ''];
  const changed = row.files === undefined ? 'changes not counted yet' : `${row.files} file(s) changed, +${row.insertions ?? 0} -${row.deletions ?? 0}`;
  lines.push(`Branch \`${row.branch ?? '?'}\`; ${changed}.`);
  if (row.gates) {
    lines.push('', ...row.gates.results.map((g) => `- gate ${g.name}: ${g.passed ? 'passed' : g.timedOut ? 'timed out' : `failed (exit ${g.exitCode ?? '?'})`}${g.required ? '' : ' (optional)'} in ${formatDuration(g.durationMs)}; its output: ${g.log}`));
  } else if (row.gatesSkipped) {
    lines.push('', `Gates not run: ${flat(row.gatesSkipped)}.`);
  } else if (gates > 0) {
    lines.push('', 'Gates: run once every run has ended.');
  }
  return lines;
}

export function compareDocument(view: CompareView): CompareDocument {
  const gates = view.record.gates.length;
  const lines = [...renderCompareMarkdown(view, END).split('\n'), '', `Prompt: ${flat(view.record.prompt)}`];
  const sections: ContenderSection[] = [];
  for (const row of view.rows) {
    lines.push('');
    sections.push({ line: lines.length, runId: row.runId, name: row.name, ended: row.status !== 'not started' && isFinished(row.status as RunStatus) });
    lines.push(...sectionLines(row, gates));
  }
  return { text: `${lines.join('\n')}\n`, sections };
}
