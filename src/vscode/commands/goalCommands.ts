/**
 * The goal commands, from the Goals view's rows or the palette (which asks which goal): New Goal,
 * Pause, Resume, Cancel (asks first), Extend Budget, Show Proof, Show the DAG of its current team,
 * Show the output of one of its tasks' runs, Remove Goal Worktrees (asks before forcing). The gate commands are in gateCommands.ts. Errors are
 * thrown to the command table's wrapper, which logs and shows them.
 */
import * as vscode from 'vscode';
import { SwitchboardError } from '../../core/errors';
import { findRepo } from '../../core/git/gitCommand';
import { parseExtension } from '../../core/goals/duration';
import { cleanupSummary, hasWorktrees, removeGoalWorktrees as removeGoalWorktreesOf } from '../../core/goals/goalCheckout';
import { isLiveGoal, isSettledGoal } from '../../core/goals/goalRecord';
import { openGoalDocument, type GoalDocuments } from '../goals/goalDocuments';
import type { GoalWatcher, GoalSnapshot } from '../goals/goalWatcher';
import { askGoalInputs, parseAmount } from '../goals/newGoalInputs';
import { givenGoal, pickGoal } from '../goals/pickGoal';
import type { Services } from '../services';
import { requireTrust } from '../trust';
import { isResumable } from '../views/goalItems';

/** What the goal commands work with besides the services: the view's model and the goal documents. */
export interface GoalUi {
  watcher: GoalWatcher;
  documents: GoalDocuments;
}

export const anyGoal = { filter: () => true, none: 'There are no goals yet. Start one with Switchboard: New Goal…' };
const open = (s: GoalSnapshot): boolean => !isSettledGoal(s.view.goal.status);

export async function newGoal(services: Services, ui: GoalUi): Promise<void> {
  requireTrust('start goals');
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') throw new SwitchboardError('bad_cwd', 'Open a folder first: a goal works on a git repository of a folder.', 'File > Open Folder…');
  // Said before the questions rather than after them.
  if (!(await findRepo(folder.uri.fsPath))?.head) throw new SwitchboardError('bad_cwd', `A goal works on a git branch of its own, and ${folder.uri.fsPath} is not a git repository with a commit.`, 'Run `git init` and commit what is there, then start the goal again.');
  const inputs = await askGoalInputs(services, folder.uri);
  if (!inputs) return;
  const goals = services.switchboard().goals;
  const goal = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Starting the goal…' }, () => goals.create({ ...inputs, workspace: folder.uri.fsPath }));
  services.logger.info(`[goals] started ${goal.id} in ${folder.uri.fsPath} on ${goal.branch}: gates ${goal.gates.map((g) => g.name).join(', ') || 'none'}`);
  ui.watcher.reread(goal.id);
  await vscode.commands.executeCommand('switchboard.goals.focus');
  vscode.window.setStatusBarMessage(`$(target) Goal ${goal.id} started on ${goal.branch}`, 5000);
}

export async function pauseGoal(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  const picked = await pickGoal(ui.watcher, arg, { filter: (s) => isLiveGoal(s.view.goal.status), placeHolder: 'Which goal should pause?', none: 'No goal is at work.' });
  if (!picked) return;
  const goal = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Pausing the goal' }, () => services.switchboard().goals.pause(picked.view.goal.id));
  ui.watcher.reread(goal.id);
  vscode.window.setStatusBarMessage(`Goal ${goal.id} is ${goal.status}`, 5000);
}

export async function resumeGoal(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  requireTrust('resume goals');
  const picked = await pickGoal(ui.watcher, arg, { filter: isResumable, placeHolder: 'Which goal should go on?', none: 'No goal is paused, out of budget, blocked on a gate or left by its process.' });
  if (!picked) return;
  const id = picked.view.goal.id;
  try {
    const goal = await services.switchboard().goals.resume(id);
    vscode.window.setStatusBarMessage(`Goal ${goal.id} is ${goal.status}`, 5000);
  } catch (error) {
    if (!(error instanceof SwitchboardError && error.code === 'budget_exhausted')) throw error;
    const choice = await vscode.window.showWarningMessage(`${error.message} Extend its budget first.`, 'Extend…');
    if (choice) await vscode.commands.executeCommand('switchboard.extendGoalBudget', id);
  } finally {
    ui.watcher.reread(id);
  }
}

export async function cancelGoal(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  const picked = await pickGoal(ui.watcher, arg, { filter: open, placeHolder: 'Which goal should be cancelled?', none: 'No goal is open.' });
  if (!picked) return;
  const { goal } = picked.view;
  const detail = `Its agents are stopped and it ends cancelled. What it committed stays on ${goal.branch}.`;
  const answer = await vscode.window.showWarningMessage(`Cancel goal "${goal.normalizedGoal}"?`, { modal: true, detail }, 'Cancel Goal');
  if (answer !== 'Cancel Goal') return;
  const ended = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Cancelling the goal' }, () => services.switchboard().goals.cancel(goal.id));
  ui.watcher.reread(ended.id);
  vscode.window.setStatusBarMessage(`Goal ${ended.id} is ${ended.status}`, 5000);
}

export async function extendGoalBudget(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  // A goal stopped by its budget goes on at once, starting agents.
  requireTrust('extend goals');
  const picked = await pickGoal(ui.watcher, arg, { filter: open, placeHolder: 'Whose budget?', none: 'No goal is open.' });
  if (!picked) return;
  const { goal } = picked.view;
  const ask = (what: string, placeHolder: string, parse: (t: string) => unknown): Thenable<string | undefined> =>
    vscode.window.showInputBox({
      title: `Extend the budget of ${goal.id}: ${what}`,
      prompt: `How much more ${what}? (empty: none)`,
      placeHolder,
      ignoreFocusOut: true,
      validateInput: (t) => {
        try {
          parse(t);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
  const usd = await ask('dollars', '+5', (t) => parseAmount(t, 'The dollars'));
  if (usd === undefined) return;
  const tokens = await ask('tokens', '+100k', (t) => parseAmount(t, 'The tokens', true));
  if (tokens === undefined) return;
  const time = await ask('time', '+1h', (t) => t.trim() && parseExtension(t));
  if (time === undefined) return;
  const more = { usd: parseAmount(usd, 'dollars'), tokens: parseAmount(tokens, 'tokens', true), ...(time.trim() ? { timeMs: parseExtension(time), time: time.trim().replace(/^\+/, '') } : {}) };
  if (!more.usd && !more.tokens && !more.timeMs) throw new SwitchboardError('invalid_argument', 'Nothing to add: give more dollars, tokens or time.');
  const extended = await services.switchboard().goals.extend(goal.id, more);
  const after = ui.watcher.reread(extended.id);
  const spent = after && after.view.budget.exhausted.length ? after.view.budget.exhausted : [];
  if (extended.status === 'needs_more_budget' && spent.length) {
    // Not enough: the goal stays stopped (its time kept running while it waited, say).
    const choice = await vscode.window.showWarningMessage(`Goal "${extended.normalizedGoal}" has more budget, but its ${spent.join(' and ')} budget is still spent, so it stays stopped.`, 'Extend…');
    if (choice) await vscode.commands.executeCommand('switchboard.extendGoalBudget', extended.id);
    return;
  }
  void vscode.window.showInformationMessage(`Goal "${extended.normalizedGoal}" has more budget; it is ${extended.status}.`);
}

export async function removeGoalWorktrees(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  const picked = await pickGoal(ui.watcher, arg, { filter: (s) => hasWorktrees(s.view.goal), placeHolder: 'Whose worktrees should be removed?', none: 'No ended goal has worktrees left.' });
  if (!picked) return;
  const { goal } = picked.view;
  const sb = services.switchboard();
  const first = await removeGoalWorktreesOf(sb.stateDir, sb.teams, goal);
  ui.watcher.reread(goal.id);
  const kept = first.worktrees.filter((w) => !w.removed);
  if (kept.length === 0) {
    void vscode.window.showInformationMessage(cleanupSummary(first));
    return;
  }
  const them = kept.length === 1 ? 'it' : 'them';
  const detail = [...kept.map((k) => `${k.worktree}: ${k.reason ?? 'kept'}`), '', `Forcing discards what is uncommitted in ${them}; the branches stay, with everything committed.`].join('\n');
  const answer = await vscode.window.showWarningMessage(`Kept ${kept.length} worktree(s) of goal "${goal.normalizedGoal}". Force-remove ${them}?`, { modal: true, detail }, 'Force Remove');
  if (answer !== 'Force Remove') return;
  const forced = await removeGoalWorktreesOf(sb.stateDir, sb.teams, sb.goals.get(goal.id), { force: true });
  ui.watcher.reread(goal.id);
  void vscode.window.showInformationMessage(cleanupSummary(forced));
}

export async function showGoalProof(_services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  const picked = await pickGoal(ui.watcher, arg, { ...anyGoal, placeHolder: 'Whose proof?' });
  if (picked) await openGoalDocument(picked.view.goal.id, 'proof');
}

export async function showGoalTeamDag(_services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  const picked = await pickGoal(ui.watcher, arg, { filter: (s) => !!s.view.goal.team, placeHolder: 'Whose team?', none: 'No goal has a team yet.' });
  const team = picked?.view.goal.team;
  if (picked && !team) throw new SwitchboardError('unknown_team', `Goal ${picked.view.goal.id} has no team yet.`);
  if (team) await vscode.commands.executeCommand('switchboard.showTeamDag', team);
}

export async function showGoalTaskOutput(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  const id = givenGoal(arg);
  const task = (arg as { task?: unknown } | undefined)?.task;
  const withRuns = (id ? [ui.watcher.reread(id)] : ui.watcher.list()).flatMap((s) => (s ? s.view.goal.tasks.filter((t) => t.runId && (typeof task !== 'string' || t.id === task)).map((t) => ({ goal: s.view.goal, task: t })) : []));
  if (withRuns.length === 0) throw new SwitchboardError('unknown_run', typeof task === 'string' ? `Task ${task} has not run yet.` : 'No task of a goal has run yet.');
  const chosen =
    withRuns.length === 1
      ? withRuns[0]
      : (await vscode.window.showQuickPick(withRuns.map((w) => ({ label: `${w.task.id}: ${w.task.title}`, description: `${w.task.status} · ${w.goal.normalizedGoal}`, value: w })), { placeHolder: 'Whose output?', matchOnDescription: true }))?.value;
  if (chosen) await vscode.commands.executeCommand('switchboard.showAgentOutput', services.switchboard().runs.resolve(chosen.task.runId!));
}
