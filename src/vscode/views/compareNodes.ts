/**
 * The Comparisons node of the Agents view: each comparison (a click opens its table) with its
 * contenders as children — their runs as run rows (model and gate result first; their menus have
 * Open Diff and Merge…), or what is known of a contender that never started or whose run is gone.
 * Records are read from the state folder, so comparisons of every process show.
 */
import * as vscode from 'vscode';
import { listCompares, type CompareEntry, type CompareRecord, type CompareStatus } from '../../core/compare/compareRecord';
import { compareSummary } from '../../core/compare/compareText';
import type { Switchboard } from '../../core/switchboard';
import type { RunRecord } from '../../core/runs/types';
import { runTreeItem } from './runItem';

export type CompareNode = { kind: 'comparisons' } | { kind: 'comparison'; id: string } | { kind: 'contender'; compare: string; index: number };

/** A contender's run as a row under its comparison (the run is a row of its own too, so it has an id of its own here). */
export type ContenderRun = RunRecord & { inCompare: string; entry: Pick<CompareEntry, 'model' | 'gates'> };

export type AgentNode = RunRecord | CompareNode;

export const COMPARISONS: CompareNode = { kind: 'comparisons' };

export const isCompareNode = (node: AgentNode): node is CompareNode => 'kind' in node;
export const isContenderRun = (node: RunRecord): node is ContenderRun => 'inCompare' in node;

const ICONS: Record<CompareStatus, [string, string | undefined]> = {
  running: ['sync~spin', 'charts.blue'],
  verifying: ['beaker', 'charts.blue'],
  done: ['pass', 'testing.iconPassed'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

const who = (e: Pick<CompareEntry, 'runner' | 'model'>): string => (e.model ? `${e.runner}:${e.model}` : e.runner);

export class CompareNodes {
  /** One object per comparison while it is listed: VS Code keys rows by element. */
  private readonly nodes = new Map<string, CompareNode & { kind: 'comparison' }>();
  private readonly records = new Map<string, CompareRecord>();

  constructor(private readonly switchboard: () => Switchboard | undefined) {}

  /** Whether there is any comparison to show (the node is left out until there is). */
  hasAny(): boolean {
    const sb = this.switchboard();
    return !!sb && listCompares(sb.runs.stateDir).length > 0;
  }

  children(node: CompareNode): AgentNode[] {
    const sb = this.switchboard();
    if (!sb) return [];
    if (node.kind === 'comparisons') {
      const records = sb.compares.list();
      this.records.clear();
      for (const r of records) this.records.set(r.id, r);
      for (const id of this.nodes.keys()) if (!this.records.has(id)) this.nodes.delete(id);
      return records.map((r) => this.nodes.get(r.id) ?? this.nodes.set(r.id, { kind: 'comparison', id: r.id }).get(r.id)!);
    }
    if (node.kind !== 'comparison') return [];
    const record = this.record(node.id);
    const ids = new Set(record?.entries.flatMap((e) => e.runId ?? []));
    const runs = new Map(sb.runs.wholeOf(sb.runs.briefs().filter((r) => ids.has(r.id))).map((r) => [r.id, r]));
    return (record?.entries ?? []).map((entry, index) => {
      const run = entry.runId ? runs.get(entry.runId) : undefined;
      return run ? { ...run, inCompare: node.id, entry: { model: entry.model, gates: entry.gates } } : { kind: 'contender', compare: node.id, index };
    });
  }

  item(node: CompareNode): vscode.TreeItem {
    if (node.kind === 'comparisons') {
      const item = new vscode.TreeItem('Comparisons', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = 'switchboard.comparisons';
      item.iconPath = new vscode.ThemeIcon('git-compare');
      item.tooltip = 'The same task given to several agents (or models), each in a worktree of its own: Compare Agents…';
      item.contextValue = 'comparisons';
      item.accessibilityInformation = { label: 'Comparisons' };
      return item;
    }
    const record = this.record(node.kind === 'comparison' ? node.id : node.compare);
    if (node.kind === 'comparison') {
      const item = new vscode.TreeItem(node.id, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `compare:${node.id}`;
      const [icon, color] = ICONS[record?.status ?? 'done'];
      item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
      item.description = record ? [record.status, record.entries.map(who).join(', ')].join(' · ') : 'gone';
      item.tooltip = record ? `${record.prompt}\n\n${compareSummary(record)}` : undefined;
      item.contextValue = 'comparison';
      item.accessibilityInformation = { label: `${node.id}, ${item.description}` };
      item.command = { command: 'switchboard.showComparison', title: 'Show Comparison', arguments: [node.id] };
      return item;
    }
    const entry = record?.entries[node.index];
    const item = new vscode.TreeItem(entry ? who(entry) : '?', vscode.TreeItemCollapsibleState.None);
    item.id = `compare:${node.compare}/${node.index}`;
    item.iconPath = new vscode.ThemeIcon(entry?.error ? 'error' : 'circle-outline');
    item.description = entry?.error ? `not started: ${entry.error}` : `${entry?.name ?? 'its run'} is no longer listed${entry?.outcome ? ` (it ended ${entry.outcome.status})` : ''}`;
    item.accessibilityInformation = { label: `${item.label}, ${item.description}` };
    return item;
  }

  /** A contender's run row: the run's own row, led by its model and gate result, under an id of its own. */
  runItem(run: ContenderRun, now = Date.now()): vscode.TreeItem {
    const item = runTreeItem(run, now);
    item.id = `compare:${run.inCompare}/${run.id}`;
    item.contextValue = `${item.contextValue} contender`;
    const gates = run.entry.gates ? (run.entry.gates.passed ? 'gates passed' : 'gates failed') : undefined;
    item.description = [run.entry.model ?? 'default model', gates, item.description].filter(Boolean).join(' · ');
    item.accessibilityInformation = { label: `${run.name}, ${run.status}, ${item.description}` };
    return item;
  }

  private record(id: string): CompareRecord | undefined {
    const cached = this.records.get(id);
    if (cached) return cached;
    try {
      return this.switchboard()?.compares.get(id);
    } catch {
      return undefined;
    }
  }
}
