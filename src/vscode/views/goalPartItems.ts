/**
 * The rows below a goal in the Goals view: a gate (its breaker's state as its icon, its last
 * result), a task (as the Teams view shows tasks; click for its run's output), a discovery (as
 * discoveryRows.ts says), an iteration (its verdict, gate results and score) with a row per gate
 * result (click for the gate's whole output), a checkpoint or rollback (checkpointRows.ts), and an
 * artifact (click opens the file).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BreakerState } from '../../core/gates/breakerState';
import type { GateResult } from '../../core/gates/gate';
import { gateOutcome } from '../../core/gates/gateText';
import { isLiveGoal, type GoalRecord, type Iteration } from '../../core/goals/goalRecord';
import { checkpointRow, rollbackRow } from '../goals/checkpointRows';
import type { GoalSnapshot } from '../goals/goalWatcher';
import { discoveryRow, goalTakesTasks, type RowModel } from '../discoveries/discoveryRows';
import type { GoalNode } from './goalNodes';
import { icon, modelTreeItem } from './icon';
import { taskTreeItem } from './taskItem';

type Part = Extract<GoalNode, { kind: 'gate' | 'task' | 'discovery' | 'iteration' | 'gateResult' | 'checkpoint' | 'rollback' | 'artifact' }>;

/** Each state of a breaker its own icon: the circuit is closed (the gate runs), open (it fails at once), half-open (trial runs). */
const BREAKER_ICONS: Record<BreakerState, [string, string?]> = {
  Closed: ['plug'],
  Open: ['debug-disconnect', 'testing.iconFailed'],
  HalfOpen: ['debug-restart', 'list.warningForeground'],
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The result of the gate in the last iteration that ran the gates. */
export function lastGateResult(goal: GoalRecord, gate: string): GateResult | undefined {
  return [...goal.iterations].reverse().find((i) => i.gates)?.gates?.find((g) => g.name === gate);
}

/** An iteration's verdict: passed, failed, or where it stands without one. */
export function iterationState(goal: GoalRecord, iteration: Iteration): string {
  if (iteration.passed !== undefined) return iteration.passed ? 'passed' : 'failed';
  if (iteration.n !== goal.iteration || !isLiveGoal(goal.status)) return 'stopped';
  if (goal.status === 'blocked_on_external') return 'blocked';
  if (goal.status === 'blocked_on_human') return 'waiting';
  return goal.phase === 'verification_design' ? 'verifying' : 'working';
}

/** The data of a discovery, checkpoint or rollback row; undefined when it is gone. */
function modelOf(node: Extract<GoalNode, { kind: 'discovery' | 'checkpoint' | 'rollback' }>, snapshot: GoalSnapshot): RowModel | undefined {
  const { goal } = snapshot.view;
  if (node.kind === 'discovery') {
    const found = snapshot.discoveries.find((d) => d.id === node.discovery);
    return found && discoveryRow(found, goalTakesTasks(goal));
  }
  if (node.kind === 'checkpoint') {
    const point = goal.recoveryPoints?.find((p) => p.id === node.checkpoint);
    return point && checkpointRow(goal, point);
  }
  const rollback = goal.rollbacks?.find((r) => r.at === node.at);
  return rollback && rollbackRow(rollback);
}

const fileOpen = (file: string, title: string): vscode.Command => ({ command: 'vscode.open', title, arguments: [vscode.Uri.file(file)] });

/** The row of a part of the goal and its state word; undefined when the part is gone. */
export function partTreeItem(node: Part, snapshot: GoalSnapshot): { item: vscode.TreeItem; state: string } | undefined {
  const { goal } = snapshot.view;
  const none = vscode.TreeItemCollapsibleState.None;
  if (node.kind === 'gate') {
    const spec = goal.gates.find((g) => g.name === node.gate);
    if (!spec) return undefined;
    const breaker = snapshot.breakers.get(node.gate);
    const state = breaker?.state ?? 'Closed';
    const last = lastGateResult(goal, node.gate);
    const item = new vscode.TreeItem(node.gate, none);
    const failures = breaker?.failureCount ? `${plural(breaker.failureCount, 'failure')} in a row` : '';
    item.description = [state, failures, last ? `last ${gateOutcome(last)}` : 'not run by the goal yet', spec.required === false ? 'optional' : ''].filter(Boolean).join(' · ');
    item.iconPath = icon(...BREAKER_ICONS[state]);
    item.contextValue = `gate ${state === 'HalfOpen' ? 'halfOpen' : state.toLowerCase()}`;
    return { item, state };
  }
  if (node.kind === 'task') {
    const task = goal.tasks.find((t) => t.id === node.task);
    if (!task) return undefined;
    const { item, run } = taskTreeItem(task, snapshot.runs);
    item.contextValue = `goalTask${run ? ' hasRun' : ''}`;
    return { item, state: task.status };
  }
  if (node.kind === 'discovery' || node.kind === 'checkpoint' || node.kind === 'rollback') {
    const model = modelOf(node, snapshot);
    return model && { item: modelTreeItem(model), state: model.state };
  }
  if (node.kind === 'iteration' || node.kind === 'gateResult') {
    const iteration = goal.iterations.find((i) => i.n === node.n);
    if (!iteration) return undefined;
    if (node.kind === 'gateResult') {
      const result = iteration.gates?.find((g) => g.name === node.gate);
      if (!result) return undefined;
      const item = new vscode.TreeItem(result.name, none);
      item.description = `${gateOutcome(result)}${result.required ? '' : ' · optional'}`;
      item.iconPath = result.passed ? icon('pass', 'testing.iconPassed') : icon('error', 'testing.iconFailed');
      if (result.log) item.command = fileOpen(result.log, 'Open Gate Output');
      item.contextValue = 'gateResult';
      return { item, state: result.passed ? 'passed' : 'failed' };
    }
    const state = iterationState(goal, iteration);
    const item = new vscode.TreeItem(`Iteration ${iteration.n}`, iteration.gates?.length ? vscode.TreeItemCollapsibleState.Collapsed : none);
    const gates = (iteration.gates ?? []).map((g) => `${g.name} ${g.passed ? 'passed' : g.timedOut ? 'timed out' : 'failed'}`);
    item.description = [state, ...gates, iteration.score !== undefined ? `score ${iteration.score.toFixed(2)}` : '', plural(iteration.tasks.length, 'task'), iteration.team ?? ''].filter(Boolean).join(' · ');
    const icons: Record<string, readonly [string, string?]> = { passed: ['pass', 'testing.iconPassed'], failed: ['error', 'testing.iconFailed'], working: ['sync~spin', 'charts.blue'], verifying: ['beaker', 'charts.blue'], blocked: ['circle-slash', 'list.warningForeground'], waiting: ['bell-dot', 'list.warningForeground'], stopped: ['circle-large-outline', 'disabledForeground'] };
    const [id, color] = icons[state]!;
    item.iconPath = icon(id, color);
    item.contextValue = 'iteration';
    return { item, state };
  }
  const artifact = goal.artifacts.find((a) => a.path === node.path);
  if (!artifact) return undefined;
  const item = new vscode.TreeItem(path.basename(artifact.path), none);
  item.description = `${artifact.kind} · ${new Date(artifact.createdAt).toLocaleString()}`;
  item.iconPath = icon(artifact.kind === 'proof' ? 'verified-filled' : 'file');
  item.command = fileOpen(artifact.path, 'Open Artifact');
  item.contextValue = 'goalArtifact';
  return { item, state: artifact.kind };
}
