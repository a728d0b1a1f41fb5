/**
 * The status bar item: how many agents run, what today's runs have spent and, while goals are at
 * work, what they have spent (`· goals $1.20`, each listed in the tooltip); a click opens the view.
 * While an agent waits for a person it turns to the warning colour and says how many wait; so it
 * does, with a warning sign, while the state folder's disk runs low (checked every 30 s).
 */
import * as vscode from 'vscode';
import { isLiveGoal } from '../core/goals/goalRecord';
import { BUDGET_FIGURES, goalBudgetLine } from '../core/goals/goalText';
import { Lifecycle, toDisposable } from '../core/lifecycle';
import type { RunRegistry } from '../core/registry/registry';
import type { SwitchboardSlot } from '../core/switchboardSlot';
import { formatUsd } from '../core/render';
import { checkDisk } from '../core/store/diskSpace';
import type { RunRecord } from '../core/runs/types';
import { budgetNow, type GoalWatcher } from './goals/goalWatcher';
import { startOfToday } from './webviews/budgetModel';

const UPDATE_MS = 500;
const DISK_CHECK_MS = 30_000;
/** The item's colour while an agent waits for a person. */
const WAITING_BACKGROUND = new vscode.ThemeColor('statusBarItem.warningBackground');

export function spentToday(runs: readonly RunRecord[], now = new Date()): { usd: number; estimated: boolean } {
  const midnight = startOfToday(now.getTime());
  let usd = 0;
  let estimated = false;
  for (const run of runs) {
    if ((run.startedAt ?? run.createdAt) < midnight || run.usage.usd === undefined) continue;
    usd += run.usage.usd;
    estimated ||= run.usage.usdSource === 'estimated';
  }
  return { usd, estimated };
}

export class StatusBar extends Lifecycle {
  /** Public for SwitchboardApi (src/extension.ts): the in-host tests read its text. */
  readonly item = vscode.window.createStatusBarItem('switchboard.status', vscode.StatusBarAlignment.Left, 50);
  private registryListener: vscode.Disposable | undefined;
  private registry: RunRegistry | undefined;
  private pending: NodeJS.Timeout | undefined;
  private stateDir: string | undefined;
  private diskWarning: string | undefined;

  /** `ready`: the sums over a state folder's runs wait for it (activation lets the Agents view's first rows go first). */
  constructor(slot: SwitchboardSlot, private readonly goals?: GoalWatcher, private readonly ready: Promise<void> = Promise.resolve()) {
    super();
    this.register(this.item);
    this.register(slot.onDidChange((sb) => {
      this.stateDir = sb?.stateDir;
      this.checkDisk();
      this.setRegistry(sb?.runs);
    }));
    const diskTimer = setInterval(() => this.checkDisk(true), DISK_CHECK_MS);
    this.register(toDisposable(() => clearInterval(diskTimer)));
    if (goals) this.register(goals.onDidChange(() => (this.pending ??= setTimeout(() => this.update(), UPDATE_MS))));
    this.register(toDisposable(() => {
      if (this.pending) clearTimeout(this.pending);
      this.registryListener?.dispose();
    }));
    this.item.name = 'Switchboard';
    this.item.command = 'workbench.view.extension.switchboard';
    this.update();
    this.item.show();
  }

  private setRegistry(registry: RunRegistry | undefined): void {
    this.registryListener?.dispose();
    this.registry = registry;
    this.registryListener = registry?.onDidChange(() => (this.pending ??= setTimeout(() => this.update(), UPDATE_MS)));
    if (!registry) this.update();
    // Today's runs may be hundreds of whole records to read.
    else void this.ready.then(() => this.registry === registry && !this.isDisposed && this.update());
  }

  /** Recomputes the text; the item is only touched (a message to the workbench) when the text changed. */
  private update(): void {
    this.pending = undefined;
    // Whole records only of the runs that may count today (live, or ended since midnight), each from
    // its file: not a week's thousands, which the record cache would parse and keep (10,000 runs:
    // 5.8 MB, 2-4 times the time of today's 700 files, and the collections that follow).
    const midnight = startOfToday();
    const registry = this.registry;
    const runs = registry ? registry.wholeOf(registry.briefs().filter((r) => (r.endedAt ?? Infinity) >= midnight), { each: true }) : [];
    const running = runs.filter((r) => r.status === 'running').length;
    const waiting = runs.filter((r) => r.status === 'running' && r.waiting);
    const { usd, estimated } = spentToday(runs);
    const money = formatUsd({ inputTokens: 0, outputTokens: 0, usd, usdSource: estimated ? 'estimated' : 'reported' });
    const goals = this.liveGoals();
    const goalsText = goals ? ` · goals ${goals.usd}` : '';
    const waitingText = waiting.length ? `$(bell) ${waiting.length} waiting · ` : '';
    const diskText = this.diskWarning ? '$(warning) disk low · ' : '';
    const text = `${diskText}${waitingText}${running > 0 ? '$(sync~spin)' : '$(pulse)'} ${running} running · ${money} today${goalsText}`;
    const tooltip = [
      ...(this.diskWarning ? [`Warning: ${this.diskWarning}`] : []),
      ...waiting.map((r) => `${r.name} waits for ${r.waiting!.reason}.`),
      `Switchboard: ${running} agent${running === 1 ? '' : 's'} running; ${money} spent by today's runs${estimated ? ' (partly estimated from the price table)' : ''}.`,
      ...(goals ? [`Goals at work (${goals.usd} spent):`, ...goals.lines] : []),
      'Click to open the Agents view.',
    ].join('\n');
    const background = waiting.length || this.diskWarning ? WAITING_BACKGROUND : undefined;
    if (text === this.item.text && tooltip === this.item.tooltip && background === this.item.backgroundColor) return;
    this.item.backgroundColor = background;
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Switchboard, ${this.diskWarning ? 'disk space low, ' : ''}${waiting.length ? `${waiting.length} waiting for you, ` : ''}${running} running, ${money} today${goals ? `, goals ${goals.usd}` : ''}` };
  }

  /** Looks at the free space of the state folder's disk; shows it when what it says changed. */
  private checkDisk(show = false): void {
    const warning = this.stateDir ? checkDisk(this.stateDir)?.warning : undefined;
    if (warning === this.diskWarning) return;
    this.diskWarning = warning;
    if (show) this.update();
  }

  /** The goals at work and what they spent (undefined: none is at work). */
  private liveGoals(): { usd: string; lines: string[] } | undefined {
    const live = this.goals?.list().filter((s) => isLiveGoal(s.view.goal.status)) ?? [];
    if (live.length === 0) return undefined;
    let usd = 0;
    let estimated = false;
    const lines = live.map((snapshot) => {
      const budget = budgetNow(snapshot);
      usd += budget.spend.usd;
      estimated ||= budget.spend.usdEstimated;
      return `- ${snapshot.view.goal.normalizedGoal}: ${snapshot.view.goal.status} · ${goalBudgetLine(snapshot.view.goal, budget)}`;
    });
    return { usd: `${estimated ? '~' : ''}${BUDGET_FIGURES.usd(usd)}`, lines };
  }

}
