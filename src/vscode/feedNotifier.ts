/**
 * Notifications told from the live feed, so that what other processes do (a terminal's `switchboard
 * goal create`, an MCP server, another window) counts as well as this window's: a subclass hears
 * each change of the current Switchboard's feed and shows what a person should know, with buttons
 * that run commands. The feed tells each change once; a subclass keeps what it must not tell twice.
 */
import * as vscode from 'vscode';
import type { FeedEvent } from '../core/feed/feedEvent';
import { Lifecycle, toDisposable } from '../core/lifecycle';
import type { Switchboard } from '../core/switchboard';
import type { SwitchboardSlot } from '../core/switchboardSlot';

/** Each button's title, and the command (with its argument) it runs. */
export type NotificationActions = Record<string, [string, unknown]>;

export abstract class FeedNotifier extends Lifecycle {
  private listener: vscode.Disposable | undefined;

  constructor(slot: SwitchboardSlot) {
    super();
    this.register(slot.onDidChange((sb) => this.follow(sb)));
    this.register(toDisposable(() => this.listener?.dispose()));
  }

  /** A change of the feed of `sb`. */
  protected abstract heard(sb: Switchboard, event: FeedEvent): void;
  /** A new Switchboard is followed: what was told of the old one is forgotten. */
  protected forget(): void {}

  private follow(sb: Switchboard | undefined): void {
    this.listener?.dispose();
    this.forget();
    this.listener = sb?.feed.onDidAppend((event) => this.heard(sb, event));
  }

  protected show(level: 'info' | 'warning' | 'error', message: string, actions: NotificationActions): void {
    const buttons = Object.keys(actions);
    const shown = level === 'info' ? vscode.window.showInformationMessage(message, ...buttons) : level === 'warning' ? vscode.window.showWarningMessage(message, ...buttons) : vscode.window.showErrorMessage(message, ...buttons);
    void shown.then((choice) => {
      const action = choice ? actions[choice] : undefined;
      if (action) void vscode.commands.executeCommand(action[0], action[1]);
    });
  }
}

/** A goal's objective for a message (its id when it cannot be read). */
export function goalObjective(sb: Switchboard, id: string): string {
  try {
    return sb.goals.get(id).normalizedGoal;
  } catch {
    return id;
  }
}
