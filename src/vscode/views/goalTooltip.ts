/**
 * The Goals view's tooltips, built only for the row being hovered (resolveTreeItem): a goal's
 * details (why it is blocked, stagnant or failed first), a gate's command and breaker, a task and
 * a discovery (tooltipText.ts), an iteration's gates, score and problems, a checkpoint and a
 * rollback (where the work it left is kept). Text from agents, gates and people (the
 * objective, task titles, gate output) is escaped (MarkdownString.appendText) or fenced, never read
 * as Markdown.
 */
import * as fs from 'node:fs';
import type * as vscode from 'vscode';
import { gateOutcome } from '../../core/gates/gateText';
import { graphSummary } from '../../core/goals/goalTasks';
import { goalBudgetLine } from '../../core/goals/goalText';
import { budgetNow, type GoalSnapshot } from '../goals/goalWatcher';
import { checkpointRow, shortCommit } from '../goals/checkpointRows';
import type { GoalNode } from './goalNodes';
import { goalState, stagnationOf } from './goalItems';
import { iterationState, lastGateResult } from './goalPartItems';
import { appendFenced, appendHeading as heading, appendRows, discoveryTooltip, localTime as time, taskTooltip, tooltip } from './tooltipText';

export function goalTooltip(node: GoalNode, snapshot: GoalSnapshot): vscode.MarkdownString | undefined {
  const md = tooltip();
  const { goal } = snapshot.view;
  if (node.kind === 'gate') {
    const spec = goal.gates.find((g) => g.name === node.gate);
    if (!spec) return undefined;
    const breaker = snapshot.breakers.get(node.gate);
    const last = lastGateResult(goal, node.gate);
    heading(md, `Gate ${spec.name}`, `breaker ${breaker?.state ?? 'Closed'}`);
    appendRows(md, [
      ['Command', typeof spec.command === 'string' ? spec.command : spec.command.join(' ')],
      ['Required', spec.required === false ? 'no' : 'yes'],
      ['Failures in a row', breaker?.failureCount],
      ['Last failure', time(breaker?.lastFailureAt)],
      ['Recovery', breaker && `a trial run is let through ${breaker.recoveryTimeoutSecs} s after it opened`],
      ['Last result', last && gateOutcome(last)],
      ['Output', last?.log],
    ]);
    const printed = last && !last.passed ? [last.stdout, last.stderr].map((s) => s.trimEnd()).filter(Boolean).join('\n').split('\n').slice(-12).join('\n') : '';
    if (printed) appendFenced(md, printed);
    return md;
  }
  if (node.kind === 'task') {
    const task = goal.tasks.find((t) => t.id === node.task);
    return task && taskTooltip(task);
  }
  if (node.kind === 'iteration' || node.kind === 'gateResult') {
    const iteration = goal.iterations.find((i) => i.n === node.n);
    if (!iteration) return undefined;
    heading(md, `Iteration ${iteration.n}`, iterationState(goal, iteration));
    appendRows(md, [
      ['Team', iteration.team],
      ['Tasks', iteration.tasks.join(', ')],
      ['Started', time(iteration.startedAt)],
      ['Ended', time(iteration.endedAt)],
      ...(iteration.gates ?? []).map((g): [string, string] => [`Gate ${g.name}`, gateOutcome(g)]),
      ['Score', iteration.score?.toFixed(2)],
    ]);
    if (iteration.notes) appendFenced(md, iteration.notes);
    for (const problem of iteration.problems ?? []) appendRows(md, [['Problem', problem]]);
    return md;
  }
  if (node.kind === 'discovery') {
    const found = snapshot.discoveries.find((d) => d.id === node.discovery);
    return found && discoveryTooltip(found);
  }
  if (node.kind === 'checkpoint') {
    const point = goal.recoveryPoints?.find((p) => p.id === node.checkpoint);
    if (!point) return undefined;
    heading(md, `Checkpoint ${point.id}`, checkpointRow(goal, point).state === 'current' ? 'the current iteration started here' : `iteration ${point.iteration}`);
    appendRows(md, [
      ['Iteration', point.iteration],
      ['Recorded', time(point.at)],
      ['Commit', point.commit],
      ['Kept as', point.ref],
    ]);
    md.appendMarkdown(`\nRoll Back to Here puts \`${goal.branch}\` and the goal's tasks and iterations back to this checkpoint; the commit the branch is at now is kept under a ref, so no work is lost.`);
    return md;
  }
  if (node.kind === 'rollback') {
    const rollback = goal.rollbacks?.find((r) => r.at === node.at);
    if (!rollback) return undefined;
    heading(md, `Rolled back to ${rollback.to}`, time(rollback.at) ?? '');
    appendRows(md, [
      ['Branch put back to', shortCommit(rollback.commit)],
      ['The work it left', rollback.abandonedRef && `${rollback.abandonedRef} (${shortCommit(rollback.abandonedCommit ?? '')}): git log ${rollback.abandonedRef}`],
      ['Uncommitted changes kept as', rollback.uncommittedRef],
      ['Discoveries pending again', rollback.reopened?.join(', ')],
    ]);
    if (!rollback.abandonedRef) md.appendMarkdown('\nThe branch was at the checkpoint already: nothing was left behind.');
    return md;
  }
  if (node.kind === 'artifact') return undefined;
  const tasks = graphSummary(goal.tasks);
  heading(md, goal.normalizedGoal, goalState(snapshot));
  if (goal.blockedOn) appendRows(md, [['**Blocked on**', goal.blockedOn]]);
  if (stagnationOf(snapshot)) {
    const s = goal.stagnation!;
    appendRows(md, [['**Stagnant**', `${s.kind} after iteration ${s.iteration} (confidence ${s.confidence}): ${s.evidence}`]]);
    md.appendMarkdown('Diagnose Goal says more; Recover Goal… proposes a way out.  \n');
  }
  if (goal.failure) appendRows(md, [[goal.status === 'not_ready' ? '**Not ready**' : '**Why it stopped**', goal.failure]]);
  appendRows(md, [
    ['Goal', goal.id],
    ['Phase', `${goal.phase}, iteration ${goal.iteration} of at most ${goal.maxIterations}${goal.untilReady ? ', until ready' : ''}`],
    ['Budget', goalBudgetLine(goal, budgetNow(snapshot))],
    ['Gates', goal.gates.map((g) => `${g.name}${g.required === false ? ' (optional)' : ''}`).join(', ') || 'none'],
    ['Tasks', tasks.total ? `${tasks.done} of ${tasks.total} done${tasks.blocked ? `, ${tasks.blocked} failed or blocked` : ''}` : 'none yet'],
    ['Team', goal.team],
    ['Workspace', goal.workspace],
    ['Branch', `${goal.branch} (from ${goal.base})`],
    ['Checkout', fs.existsSync(goal.checkout) ? goal.checkout : 'removed (its branch keeps the work; a rollback or resume checks it out again)'],
    ['Process', snapshot.view.owned ? goal.owner && `pid ${goal.owner.pid}` : 'its process has exited: Resume Goal takes it over here'],
  ]);
  return md;
}
