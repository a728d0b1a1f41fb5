/**
 * Notifications a person wants: an agent failed, or an agent waits for input or approval (each opens
 * its output), and a run of its own (not a team's, goal's or comparison's, which tell their own ends)
 * ended — done, orphaned, or killed in a worktree of its own — with how long it took and what it
 * spent, and for a run in a worktree Open Diff and, once done, Merge…; always, only when the window is
 * not focused, or never, as `switchboard.notifications.onRunFinished` says. Each end is told once.
 */
import * as vscode from 'vscode';
import { Lifecycle, RenewableStore } from '../core/lifecycle';
import type { RunRegistry } from '../core/registry/registry';
import type { SwitchboardSlot } from '../core/switchboardSlot';
import { isFinished, type RunRecord } from '../core/runs/types';
import { endedActions, endedMessage } from './runs/runEndText';
import type { ExtensionSettings } from './settings';

export class Notifier extends Lifecycle {
  /** The listeners on the current Switchboard's runs. */
  private readonly following = new RenewableStore();
  /** Runs whose end was told. */
  private readonly told = new Set<string>();

  /** Follows the runs of the current Switchboard. */
  constructor(slot: SwitchboardSlot, private readonly settings: () => ExtensionSettings) {
    super();
    this.register(slot.onDidChange((sb) => this.follow(sb?.runs)));
    this.register(this.following);
  }

  private follow(registry: RunRegistry | undefined): void {
    const listeners = this.following.renew();
    if (!registry) return;
    const known = new Map(registry.briefs().map((r) => [r.id, r.status]));
    [
      registry.onDidChange(({ kind, run }) => {
        const before = known.get(run.id);
        known.set(run.id, run.status);
        if (kind === 'removed' || this.told.has(run.id)) return;
        const ended = isFinished(run.status) && !(before && isFinished(before));
        if (run.status === 'failed' && before !== 'failed') this.failed(run);
        // A run killed by a person is not told back to them, unless its work waits in a worktree.
        else if (ended && !run.links.team && !run.links.goal && !run.links.compare && (run.status !== 'killed' || run.worktree)) this.ended(run);
      }),
      registry.onDidAppendEvent(({ runId, event }) => {
        if (event.type === 'waiting') this.waiting(registry.resolve(runId), event.reason, !!event.request);
      }),
    ].forEach((listener) => listeners.add(listener));
  }

  private failed(run: RunRecord): void {
    this.told.add(run.id);
    if (!this.settings().notifyOnFailure) return;
    const diff = run.worktree && !run.links.compare ? ['Open Diff'] : [];
    void vscode.window.showErrorMessage(`Agent ${run.name} failed: ${run.lastError ?? 'no reason given'}`, 'Show Output', ...diff).then((choice) => this.act(choice, run));
  }

  private ended(run: RunRecord): void {
    this.told.add(run.id);
    const when = this.settings().notifyOnRunFinished;
    if (when === 'never' || (when === 'unfocused' && vscode.window.state.focused)) return;
    void vscode.window.showInformationMessage(endedMessage(run), ...endedActions(run)).then((choice) => this.act(choice, run));
  }

  private act(choice: string | undefined, run: RunRecord): void {
    const command = { 'Open Diff': 'switchboard.openRunDiff', 'Merge…': 'switchboard.mergeRun', 'Show Output': 'switchboard.showAgentOutput' }[choice ?? ''];
    if (command) void vscode.commands.executeCommand(command, { id: run.id });
  }

  /** A request to approve is answered right from the notification (or later from the row). */
  private waiting(run: RunRecord, reason: string, answerable: boolean): void {
    if (!this.settings().notifyOnWaiting) return;
    const actions = answerable ? ['Allow', 'Deny', 'Show Output'] : ['Show Output'];
    void vscode.window.showWarningMessage(`Agent ${run.name} is waiting for ${reason}.`, ...actions).then((choice) => {
      const command = { Allow: 'switchboard.allowAgentRequest', Deny: 'switchboard.denyAgentRequest', 'Show Output': 'switchboard.showAgentOutput' }[choice ?? ''];
      if (command) void vscode.commands.executeCommand(command, run);
    });
  }

}
