/**
 * Context keys the manifest's `when` clauses read, so that the palette offers a command only when
 * there is something for it: goals at all, goals going in circles, goals with a checkpoint to roll
 * back to, discoveries (pending ones). Set when they change, as the watchers follow the feed.
 */
import * as vscode from 'vscode';
import { Lifecycle } from '../core/lifecycle';
import { canRollBack } from './goals/checkpointRows';
import type { GoalWatcher } from './goals/goalWatcher';
import type { TeamWatcher } from './teams/teamWatcher';
import { stagnationOf } from './views/goalItems';

export class ContextKeys extends Lifecycle {
  private readonly values = new Map<string, boolean>();

  constructor(
    private readonly goals: GoalWatcher,
    private readonly teams: TeamWatcher,
  ) {
    super();
    this.register(goals.onDidChange(() => this.update()));
    this.register(teams.onDidChange(() => this.update()));
    this.update();
  }

  private update(): void {
    const goals = this.goals.list();
    const discoveries = [...goals.flatMap((s) => s.discoveries), ...this.teams.list().flatMap((s) => s.discoveries)];
    this.set('switchboard.hasGoals', goals.length > 0);
    this.set('switchboard.hasStagnantGoals', goals.some((s) => !!stagnationOf(s)));
    this.set('switchboard.hasCheckpoints', goals.some((s) => canRollBack(s.view.goal)));
    this.set('switchboard.hasDiscoveries', discoveries.length > 0);
    this.set('switchboard.hasPendingDiscoveries', discoveries.some((d) => d.status === 'pending'));
  }

  private set(key: string, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }
}
