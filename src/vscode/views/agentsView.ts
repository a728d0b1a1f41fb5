/**
 * The Agents view: one row per run, running first. Registry changes are batched into one refresh
 * (so a hundred busy agents cost a refresh every 250 ms at most), and the elapsed times tick once a
 * second only while the view is visible and something runs.
 */
import * as vscode from 'vscode';
import type { RunRegistry } from '../../core/registry/registry';
import type { RunRecord } from '../../core/runs/types';
import { runTreeItem } from './runItem';

const REFRESH_MS = 250;
const TICK_MS = 1000;

export class AgentsView implements vscode.TreeDataProvider<RunRecord>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunRecord[] | void>();
  /**
   * One object per run for as long as it is listed, updated in place: VS Code keys its rows (and the
   * argument a context menu hands a command) by element, so they must survive refreshes.
   */
  private readonly nodes = new Map<string, RunRecord>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<RunRecord>;
  private registry: RunRegistry | undefined;
  private registryListener: vscode.Disposable | undefined;
  private pending: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.view = vscode.window.createTreeView('switchboard.agents', { treeDataProvider: this, showCollapseAll: false });
    this.disposables.push(this.view, this.changed, this.view.onDidChangeVisibility(() => this.scheduleTick()));
  }

  setRegistry(registry: RunRegistry | undefined): void {
    this.registryListener?.dispose();
    this.registry = registry;
    this.registryListener = registry?.onDidChange(() => this.scheduleRefresh());
    this.refreshNow();
  }

  /** Why nothing can be started here (untrusted workspace, unusable state folder), shown above the rows. */
  setMessage(message: string | undefined): void {
    this.view.message = message;
  }

  getTreeItem(run: RunRecord): vscode.TreeItem {
    return runTreeItem(run);
  }

  getChildren(element?: RunRecord): RunRecord[] {
    if (element || !this.registry) return [];
    const runs = this.registry.list();
    const listed = new Set(runs.map((r) => r.id));
    for (const id of this.nodes.keys()) if (!listed.has(id)) this.nodes.delete(id);
    return runs.map((run) => {
      const node = this.nodes.get(run.id);
      if (!node) {
        this.nodes.set(run.id, { ...run });
        return this.nodes.get(run.id)!;
      }
      return Object.assign(node, run);
    });
  }

  private scheduleRefresh(): void {
    this.pending ??= setTimeout(() => this.refreshNow(), REFRESH_MS);
  }

  private refreshNow(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    const running = this.registry?.list({ status: 'running' }).length ?? 0;
    this.view.badge = running > 0 ? { value: running, tooltip: `${running} agent${running === 1 ? '' : 's'} running` } : undefined;
    void vscode.commands.executeCommand('setContext', 'switchboard.runningCount', running);
    this.changed.fire();
    this.scheduleTick();
  }

  private scheduleTick(): void {
    const wanted = this.view.visible && (this.registry?.list({ status: 'running' }).length ?? 0) > 0;
    // The tick only redraws the running rows (their elapsed time), not the whole tree.
    if (wanted && !this.ticker) this.ticker = setInterval(() => this.changed.fire([...this.nodes.values()].filter((n) => n.status === 'running')), TICK_MS);
    if (!wanted && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    if (this.ticker) clearInterval(this.ticker);
    this.registryListener?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
