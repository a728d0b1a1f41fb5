/**
 * The webview panels' commands: Show DAG (a team's, or a goal's current team's), Show Budget Report
 * (a goal's, a team's, or all of today's runs), and Retry Team Task (from the DAG's context menu or
 * the palette). From a view row, the DAG's context menu, or the palette (which asks which one).
 */
import * as vscode from 'vscode';
import { isActiveTeam } from '../../core/teams/teamStore';
import { givenGoal } from '../goals/pickGoal';
import type { Services } from '../services';
import { requireTrust } from '../trust';
import { pickTask, pickTeam } from '../teams/pickTeam';
import type { BudgetProtocol } from '../../shared/protocol/budgetProtocol';
import type { DagProtocol } from '../../shared/protocol/dagProtocol';
import { TODAY_KEY } from '../webviews/budgetPanel';
import { dagKey, type DagSources } from '../webviews/dagPanel';
import type { WebviewPanels } from '../webviews/webviewPanels';

/** What the webview commands work with: the panels, and where their data comes from. */
export interface WebviewUi extends Omit<DagSources, 'services'> {
  dag: WebviewPanels<DagProtocol>;
  budget: WebviewPanels<BudgetProtocol>;
}

const givenTeam = (arg: unknown): string | undefined => {
  if (typeof arg === 'string') return arg;
  const team = (arg as { team?: unknown } | undefined)?.team;
  return typeof team === 'string' ? team : undefined;
};

export async function showDag(_services: Services, ui: WebviewUi, arg: unknown): Promise<void> {
  const goal = typeof arg === 'object' ? givenGoal(arg) : undefined;
  if (goal) return ui.dag.show(dagKey('goal', goal));
  const team = givenTeam(arg) ?? (await pickTeam(ui.teams, arg, { filter: () => true, none: 'There are no teams yet. Run one with Switchboard: Run Team…', placeHolder: 'Whose task graph?' }))?.name;
  if (team) ui.dag.show(dagKey('team', team));
}

export async function showBudgetReport(_services: Services, ui: WebviewUi, arg: unknown): Promise<void> {
  const goal = typeof arg === 'object' ? givenGoal(arg) : undefined;
  const team = goal ? undefined : givenTeam(arg);
  if (arg === TODAY_KEY) return ui.budget.show(TODAY_KEY);
  if (goal || team) return ui.budget.show(goal ? dagKey('goal', goal) : dagKey('team', team!));
  const items = [
    { label: 'All runs today', description: 'every agent run started today', key: TODAY_KEY },
    ...ui.goals.list().map((s) => ({ label: s.view.goal.normalizedGoal, description: `goal ${s.view.goal.id} · ${s.view.goal.status}`, key: dagKey('goal', s.view.goal.id) })),
    ...ui.teams.list().map((s) => ({ label: s.view.team.name, description: `team · ${s.view.team.status}`, detail: s.view.team.task, key: dagKey('team', s.view.team.name) })),
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Whose budget report?', matchOnDescription: true });
  if (picked) ui.budget.show(picked.key);
}

export async function retryTeamTask(services: Services, ui: WebviewUi, arg: unknown): Promise<void> {
  requireTrust('retry team tasks');
  const picked = await pickTask(ui.teams, arg, {
    filter: (t, team) => isActiveTeam(team.status) && (t.status === 'failed' || t.status === 'cancelled'),
    placeHolder: 'Which task should be tried again?',
    none: 'No task of a team at work has failed or been cancelled.',
  });
  if (!picked) return;
  const task = await services.switchboard().teams.retryTask(picked.team.name, picked.task.id);
  ui.teams.reread(picked.team.name);
  vscode.window.setStatusBarMessage(`${task.id} of ${picked.team.name} is ${task.status} again`, 5000);
}
