/**
 * The goal a command acts on: the Goals view row it was invoked on (any row of a goal carries its
 * id), an id handed by a notification or another command, else one the user picks from those that
 * fit. With nothing that fits, the command fails with `none`, saying why.
 */
import * as vscode from 'vscode';
import { SwitchboardError } from '../../core/errors';
import type { GoalSnapshot, GoalWatcher } from './goalWatcher';
import { goalDescription } from '../views/goalItems';

export interface GoalPickOptions {
  filter: (snapshot: GoalSnapshot) => boolean;
  placeHolder: string;
  none: string;
}

/** The goal id a row or a caller hands a command (a string, or an object with `goal`). */
export function givenGoal(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const goal = (arg as { goal?: unknown } | undefined)?.goal;
  return typeof goal === 'string' ? goal : undefined;
}

export async function pickGoal(watcher: GoalWatcher, arg: unknown, options: GoalPickOptions): Promise<GoalSnapshot | undefined> {
  const id = givenGoal(arg);
  if (id) {
    const snapshot = watcher.reread(id);
    if (!snapshot) throw new SwitchboardError('unknown_goal', `There is no goal ${id}.`);
    return snapshot;
  }
  const items = watcher
    .list()
    .filter(options.filter)
    .map((s) => ({ label: s.view.goal.normalizedGoal, description: goalDescription(s), detail: s.view.goal.id, snapshot: s }));
  if (items.length === 0) throw new SwitchboardError('invalid_argument', options.none);
  const picked = await vscode.window.showQuickPick(items, { placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true });
  return picked?.snapshot;
}
