/**
 * A task's row as the Teams and Goals views both show it: `T3: title`, its worker, what it waits
 * for or why it failed, its status as an icon, and a click that shows its run's output. Each view
 * adds the menu words (contextValue) of its own. Its tooltip is taskTooltip (tooltipText.ts).
 */
import * as vscode from 'vscode';
import type { Task, TaskStatus } from '../../core/dag/task';
import type { RunRecord } from '../../core/runs/types';
import { icon } from './icon';
import { runTreeItem } from './runItem';

/** A task's icon and colour by status (a team's running, done and failed look the same). */
export const TASK_ICONS: Record<TaskStatus, [string, string?]> = {
  running: ['sync~spin', 'charts.blue'],
  done: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  pending: ['circle-large-outline', 'disabledForeground'],
  ready: ['play-circle', 'charts.blue'],
  blocked: ['circle-slash', 'list.warningForeground'],
  cancelled: ['close', 'disabledForeground'],
};

function taskDescription(task: Task): string {
  const after = task.status === 'pending' && task.dependsOn.length ? `after ${task.dependsOn.join(', ')}` : '';
  return [task.worker ?? '', after, task.reason ?? ''].filter(Boolean).join(' · ');
}

/** The task's row (no contextValue yet), and its run when `runs` has it. */
export function taskTreeItem(task: Task, runs: ReadonlyMap<string, RunRecord>): { item: vscode.TreeItem; run: RunRecord | undefined } {
  const item = new vscode.TreeItem(`${task.id}: ${task.title}`, vscode.TreeItemCollapsibleState.None);
  item.description = taskDescription(task);
  item.iconPath = icon(...TASK_ICONS[task.status]);
  const run = task.runId ? runs.get(task.runId) : undefined;
  item.command = run && runTreeItem(run).command;
  return { item, run };
}
