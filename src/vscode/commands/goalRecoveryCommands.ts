/**
 * What happened to a goal, and stepping back: Show Goal Replay, Show Budget Report and Diagnose Goal
 * (read-only documents that follow the goal), Recover Goal… (the plan, its risk, likely cost and
 * actions in a modal, then carried out) and Roll Back Goal… / Roll Back to Here (a recovery
 * checkpoint, asked first; the answer names the ref that keeps the work left behind). From a row's
 * menu, a notification, or the palette (which asks which goal). Errors go to the command table's
 * wrapper, which logs and shows them.
 */
import * as vscode from 'vscode';
import { SwitchboardError } from '../../core/errors';
import { isLiveGoal, isSettledGoal, type GoalRecord, type RecoveryPoint } from '../../core/goals/goalRecord';
import { toRecoveryShape, toRollbackShape, type RecoveryShape, type RollbackShape } from '../../ops/recoveryShapes';
import { canRollBack, defaultCheckpoint, shortCommit } from '../goals/checkpointRows';
import { openGoalDocument, type GoalDocumentKind } from '../goals/goalDocuments';
import { pickGoal } from '../goals/pickGoal';
import type { Services } from '../services';
import { requireTrust } from '../trust';
import { stagnationOf } from '../views/goalItems';
import { anyGoal, type GoalUi } from './goalCommands';

const when = (at: number): string => new Date(at).toLocaleString();

async function showDocument(ui: GoalUi, arg: unknown, kind: GoalDocumentKind, placeHolder: string): Promise<void> {
  const picked = await pickGoal(ui.watcher, arg, { ...anyGoal, placeHolder });
  if (picked) await openGoalDocument(picked.view.goal.id, kind);
}

export const showGoalReplay = (_services: Services, ui: GoalUi, arg: unknown): Promise<void> => showDocument(ui, arg, 'replay', 'Whose replay?');
export const showGoalBudgetReport = (_services: Services, ui: GoalUi, arg: unknown): Promise<void> => showDocument(ui, arg, 'budget', 'Whose budget report?');
export const diagnoseGoal = (_services: Services, ui: GoalUi, arg: unknown): Promise<void> => showDocument(ui, arg, 'diagnosis', 'Which goal should be diagnosed?');

/** An action of a recovery plan in a few words (`roll back to cp-1`, `split T2`). */
function actionWords(a: RecoveryShape['actions'][number]): string {
  switch (a.kind) {
    case 'rollback':
      return `roll back to ${a.target ?? 'the last checkpoint'}`;
    case 'switch_runner':
      return `switch the workers to ${a.target ?? 'another agent CLI'}`;
    case 'switch_model':
      return `run ${a.target?.replace(':', ' on ') ?? 'the failing task on another model'}`;
    case 'split_task':
      return `split ${a.target ?? 'the failing task'}`;
    case 'add_reviewer':
      return 'add a reviewer';
    default:
      return 'ask a person';
  }
}

/** What becomes of the goal once the plan is carried out. */
function afterRecovery(goal: GoalRecord, asks: boolean): string {
  if (!isLiveGoal(goal.status)) return goal.status === 'paused' ? 'The goal stays paused: Resume Goal goes on from there.' : 'The goal is left paused: Resume Goal goes on from there.';
  return asks ? 'The goal is paused while this is done, and stays paused for a person.' : 'The goal is paused while this is done, then goes on.';
}

export async function recoverGoal(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  // Carried out, the plan lets the goal go on: agents start.
  requireTrust('recover goals');
  const picked = await pickGoal(ui.watcher, arg, { filter: (s) => !!stagnationOf(s), placeHolder: 'Which goal should be recovered?', none: 'No goal has been found going in circles. Diagnose Goal says why a goal is stuck.' });
  if (!picked) return;
  const { goal } = picked.view;
  const goals = services.switchboard().goals;
  const plan = toRecoveryShape(await goals.recover(goal.id, false));
  if (plan.actions.length === 0) {
    const choice = await vscode.window.showInformationMessage(`Goal "${goal.normalizedGoal}" is not going in circles: there is nothing to recover.`, 'Diagnose');
    if (choice) await openGoalDocument(goal.id, 'diagnosis');
    return;
  }
  const asks = plan.actions.some((a) => a.kind === 'ask_human');
  const detail = [
    `For ${plan.diagnosis ?? 'stagnation'}: risk ${plan.risk_level}; the next iteration likely costs ~$${plan.estimated_cost_usd.toFixed(2)} and ~${plan.estimated_tokens} tokens.`,
    '',
    ...plan.actions.map((a, i) => `${i + 1}. ${a.description}`),
    '',
    afterRecovery(goal, asks),
  ].join('\n');
  const answer = await vscode.window.showWarningMessage(`Recover goal "${goal.normalizedGoal}": ${plan.actions.map(actionWords).join(', then ')}?`, { modal: true, detail }, 'Recover');
  if (answer !== 'Recover') return;
  const done = toRecoveryShape(await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Recovering "${goal.normalizedGoal}"…` }, () => goals.recover(goal.id, true, 'vscode')));
  ui.watcher.reread(goal.id);
  services.logger.info(`[goals] recovered ${goal.id}: ${done.results.join('; ')}`);
  const choice = await vscode.window.showInformationMessage(`Goal "${goal.normalizedGoal}" recovered: ${done.results.join('; ')}. It is ${done.status}.`, 'Show Replay');
  if (choice) await openGoalDocument(goal.id, 'replay');
}

/** The checkpoint a row names, or one picked from the goal's (the one the current iteration started from first in focus). */
async function chooseCheckpoint(goal: GoalRecord, arg: unknown): Promise<RecoveryPoint | undefined> {
  const points = goal.recoveryPoints ?? [];
  const named = (arg as { checkpoint?: unknown } | undefined)?.checkpoint;
  if (typeof named === 'string') {
    const point = points.find((p) => p.id === named);
    if (!point) throw new SwitchboardError('invalid_argument', `Goal ${goal.id} has no checkpoint ${named}.`, `Its checkpoints: ${points.map((p) => p.id).join(', ') || 'none'}.`);
    return point;
  }
  const current = defaultCheckpoint(goal);
  const items = points.map((p) => ({ label: p.id, description: `iteration ${p.iteration} · ${when(p.at)} · ${shortCommit(p.commit)}`, detail: p === current ? 'The current iteration started here' : undefined, point: p }));
  const quick = vscode.window.createQuickPick<(typeof items)[number]>();
  quick.title = `Roll Back ${goal.id}: to which checkpoint?`;
  quick.placeholder = 'The goal branch and its tasks go back to where this iteration started';
  quick.items = items;
  quick.activeItems = items.filter((i) => i.point === current);
  quick.matchOnDescription = true;
  quick.ignoreFocusOut = true;
  try {
    return await new Promise<RecoveryPoint | undefined>((resolve) => {
      quick.onDidAccept(() => resolve(quick.selectedItems[0]?.point ?? quick.activeItems[0]?.point));
      quick.onDidHide(() => resolve(undefined));
      quick.show();
    });
  } finally {
    quick.dispose();
  }
}

/** What the rollback did, in one line. */
function rolledBack(goal: GoalRecord, r: RollbackShape): string {
  const kept = r.abandoned_ref ? `The work it left is kept at ${r.abandoned_ref}.` : 'Nothing was left behind: the branch was there already.';
  const uncommitted = r.uncommitted_ref ? ` Changes nobody had committed are kept at ${r.uncommitted_ref}.` : '';
  const reopened = r.reopened_discoveries.length ? ` Pending again (their tasks went with it): ${r.reopened_discoveries.join(', ')}.` : '';
  return `Goal "${goal.normalizedGoal}" rolled back to ${r.checkpoint.id} (${shortCommit(r.restored_commit)}); it is ${r.status} at iteration ${r.iteration}. ${kept}${uncommitted}${reopened}`;
}

export async function rollBackGoal(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  // A goal at work goes on from the checkpoint: agents start.
  requireTrust('roll back goals');
  const picked = await pickGoal(ui.watcher, arg, { filter: (s) => canRollBack(s.view.goal), placeHolder: 'Which goal should be rolled back?', none: 'No goal has a recovery checkpoint to roll back to (one is made as each iteration starts).' });
  if (!picked) return;
  const { goal } = picked.view;
  if (!canRollBack(goal)) throw new SwitchboardError('invalid_argument', goal.status === 'cancelled' ? `Goal ${goal.id} was cancelled; it is not rolled back.` : `Goal ${goal.id} has no recovery checkpoint yet (one is made as each iteration starts).`);
  const point = await chooseCheckpoint(goal, arg);
  if (!point) return;
  const after = isLiveGoal(goal.status) ? 'Its agents are stopped for it, and it goes on from there.' : isSettledGoal(goal.status) ? 'It is left paused: Resume Goal goes on from there.' : '';
  const detail = [
    `Its branch ${goal.branch} goes back to ${shortCommit(point.commit)}, where iteration ${point.iteration} started (${when(point.at)}), and its tasks and iterations to what they were then.`,
    `The commit the branch is at now is kept under refs/switchboard/goals/${goal.id}/abandoned/…, so no work is lost.`,
    after,
  ].filter(Boolean).join('\n\n');
  const answer = await vscode.window.showWarningMessage(`Roll back goal "${goal.normalizedGoal}" to ${point.id}?`, { modal: true, detail }, 'Roll Back');
  if (answer !== 'Roll Back') return;
  const goals = services.switchboard().goals;
  const result = toRollbackShape(await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Rolling back to ${point.id}…` }, () => goals.rollback(goal.id, point.id, 'vscode')));
  ui.watcher.reread(goal.id);
  services.logger.info(`[goals] rolled ${goal.id} back to ${point.id}${result.abandoned_ref ? `; the work it left is at ${result.abandoned_ref}` : ''}`);
  const ref = result.abandoned_ref;
  const choice = await vscode.window.showInformationMessage(rolledBack(goal, result), ...(ref ? ['Copy Ref'] : []));
  if (choice && ref) {
    await vscode.env.clipboard.writeText(ref);
    vscode.window.setStatusBarMessage(`Copied ${ref}`, 5000);
  }
}
