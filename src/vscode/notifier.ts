/** Notifications a person wants: an agent failed, or an agent waits for input or approval; each opens its output. */
import * as vscode from 'vscode';
import { Lifecycle, toDisposable } from '../core/lifecycle';
import type { RunRegistry } from '../core/registry/registry';
import type { SwitchboardSlot } from '../core/switchboardSlot';
import type { RunRecord } from '../core/runs/types';
import type { ExtensionSettings } from './settings';

export class Notifier extends Lifecycle {
  private listeners: vscode.Disposable[] = [];
  private readonly notifiedFailures = new Set<string>();

  /** Follows the runs of the current Switchboard. */
  constructor(slot: SwitchboardSlot, private readonly settings: () => ExtensionSettings) {
    super();
    this.register(slot.onDidChange((sb) => this.follow(sb?.runs)));
    this.register(toDisposable(() => this.follow(undefined)));
  }

  private follow(registry: RunRegistry | undefined): void {
    for (const l of this.listeners.splice(0)) l.dispose();
    if (!registry) return;
    const known = new Map(registry.list().map((r) => [r.id, r.status]));
    this.listeners.push(
      registry.onDidChange(({ kind, run }) => {
        const before = known.get(run.id);
        known.set(run.id, run.status);
        if (kind !== 'removed' && run.status === 'failed' && before !== 'failed' && !this.notifiedFailures.has(run.id)) this.failed(run);
      }),
      registry.onDidAppendEvent(({ runId, event }) => {
        if (event.type === 'waiting') this.waiting(registry.resolve(runId), event.reason, !!event.request);
      }),
    );
  }

  private failed(run: RunRecord): void {
    this.notifiedFailures.add(run.id);
    if (!this.settings().notifyOnFailure) return;
    void vscode.window.showErrorMessage(`Agent ${run.name} failed: ${run.lastError ?? 'no reason given'}`, 'Show Output').then((choice) => {
      if (choice) void vscode.commands.executeCommand('switchboard.showAgentOutput', run);
    });
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
