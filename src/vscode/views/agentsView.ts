/**
 * The Agents view: one row per run, running first. Registry changes are batched (one look every
 * 250 ms at most), and only rows whose text changed are handed to VS Code to redraw: the whole list
 * is asked for again only when runs come, go or change places. While the view is visible and
 * something runs, a running row is redrawn when its elapsed time turns to the next second, so a
 * hundred running rows cost a few small redraws a second rather than one big one per change.
 * Above the runs, once there is a comparison, a Comparisons node groups each comparison's runs
 * (compareNodes.ts); it is redrawn when a comparison or one of its runs changes. Below the live runs
 * and the newest finished ones (as `switchboard list` shows them), an Older Runs node holds the
 * other finished runs, drawn only when it is opened: a folder of 10,000 runs shows its rows at once.
 */
import * as vscode from 'vscode';
import { Lifecycle, toDisposable } from '../../core/lifecycle';
import type { RunRegistry } from '../../core/registry/registry';
import type { Switchboard } from '../../core/switchboard';
import type { SwitchboardSlot } from '../../core/switchboardSlot';
import type { RunRecord } from '../../core/runs/types';
import type { RunBrief } from '../../core/runs/runBrief';
import { COMPARISONS, CompareNodes, isCompareNode, isContenderRun, type AgentNode } from './compareNodes';
import { runFingerprint, runTooltip, runTreeItem } from './runItem';
import { recentCount, recentRuns } from '../../core/registry/registry';
import { formatCount } from '../../core/render';
import { HoverHold } from './hoverHold';

/** The node under which the older finished runs are listed (recentRuns). */
export const OLDER_RUNS = { kind: 'older' } as const;
type ViewNode = AgentNode | typeof OLDER_RUNS;
const isOlderNode = (node: ViewNode): node is typeof OLDER_RUNS => node === OLDER_RUNS;

const REFRESH_MS = 250;
/** How often the running rows are looked at; each is redrawn only when its text changed. */
const TICK_MS = 250;
/**
 * A row handed to VS Code to redraw is not handed again until VS Code has asked for it (it asks
 * once the workbench is ready for it), unless it has not asked for this long.
 */
const REDRAW_PATIENCE_MS = 5000;

export class AgentsView extends Lifecycle implements vscode.TreeDataProvider<ViewNode> {
  private readonly changed = new vscode.EventEmitter<ViewNode[] | void>();
  /**
   * One object per run for as long as it is listed, updated in place: VS Code keys its rows (and the
   * argument a context menu hands a command) by element, so they must survive refreshes.
   */
  private readonly nodes = new Map<string, RunRecord>();
  /** The runs in the order VS Code last asked for them (older runs included), and how many were above Older Runs. */
  private order: string[] = [];
  /** The runs VS Code last got above Older Runs (never also under it: a row is listed once). */
  private top = new Set<string>();
  /** What each row showed when VS Code last asked for it (runFingerprint). */
  private readonly shown = new Map<string, string>();
  /** Rows handed to VS Code to redraw that it has not asked for yet, and since when. */
  private readonly redrawing = new Map<string, number>();
  /** When the whole list was handed to VS Code to ask for again, until it does. */
  private listRequestedAt: number | undefined;
  /** Runs the registry updated since the last look. */
  private readonly updated = new Set<string>();
  private badgeCount = -1;
  private readonly hover = new HoverHold();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<ViewNode>;
  private registry: RunRegistry | undefined;
  private registryListener: vscode.Disposable | undefined;
  private switchboard: Switchboard | undefined;
  private feedListener: vscode.Disposable | undefined;
  private readonly compares = new CompareNodes(() => this.switchboard);
  /** Whether the Comparisons node was in the list VS Code last asked for. */
  private listedComparisons = false;
  /** A comparison or one of its runs changed since the last look. */
  private comparesChanged = false;
  private pending: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private settleListed: () => void = () => undefined;
  /** Settles when VS Code is first handed the rows of a state folder: activation leaves what the rows do not need until then. */
  readonly listed = new Promise<void>((resolve) => (this.settleListed = resolve));

  /** Follows the runs of the current Switchboard (a new one replaces them all). */
  constructor(slot: SwitchboardSlot) {
    super();
    this.view = vscode.window.createTreeView('switchboard.agents', { treeDataProvider: this, showCollapseAll: false });
    this.register(this.view);
    this.register(this.changed);
    this.register(this.view.onDidChangeVisibility(() => this.scheduleTick()));
    this.register(slot.onDidChange((sb) => this.setSwitchboard(sb)));
    this.register(toDisposable(() => {
      if (this.pending) clearTimeout(this.pending);
      if (this.ticker) clearInterval(this.ticker);
      this.registryListener?.dispose();
      this.feedListener?.dispose();
    }));
  }

  private setSwitchboard(sb: Switchboard | undefined): void {
    this.feedListener?.dispose();
    this.switchboard = sb;
    // Comparisons of every process are told by the feed.
    this.feedListener = sb?.feed.onDidAppend((event) => {
      if (!event.type.startsWith('compare.')) return;
      this.comparesChanged = true;
      this.scheduleRefresh();
    });
    this.setRegistry(sb?.runs);
  }

  private setRegistry(registry: RunRegistry | undefined): void {
    this.registryListener?.dispose();
    this.registry = registry;
    this.nodes.clear();
    this.shown.clear();
    this.redrawing.clear();
    this.updated.clear();
    this.order = [];
    this.listRequestedAt = undefined;
    this.registryListener = registry?.onDidChange((change) => {
      // Runs added or removed show up as a different list at the next look.
      if (change.kind === 'updated') this.updated.add(change.run.id);
      if (change.run.links.compare) this.comparesChanged = true;
      this.scheduleRefresh();
    });
    this.refreshNow();
    // The first rows' whole records are read now, while VS Code has not asked for them yet (it asks
    // once the workbench is ready for them), rather than while it waits for the answer.
    if (registry) registry.wholeOf(recentRuns(registry.briefs()).shown);
  }

  /** Why nothing can be started here (untrusted workspace, unusable state folder), shown above the rows. */
  setMessage(message: string | undefined): void {
    this.view.message = message;
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    if (isOlderNode(node)) return this.olderItem();
    if (isCompareNode(node)) return this.compares.item(node);
    if (isContenderRun(node)) return this.compares.runItem(node);
    const run = node;
    const now = Date.now();
    this.shown.set(run.id, runFingerprint(run, now));
    this.redrawing.delete(run.id);
    return runTreeItem(run, now);
  }

  /** The tooltip is built only for the row being hovered (whose clock then stands still while it shows: see HoverHold). */
  resolveTreeItem(item: vscode.TreeItem, node: ViewNode): vscode.TreeItem {
    if (isOlderNode(node) || isCompareNode(node)) return item;
    item.tooltip = runTooltip(node);
    this.hover.hovered(node.id);
    return item;
  }

  private olderItem(): vscode.TreeItem {
    const count = this.order.length - this.top.size;
    const item = new vscode.TreeItem('Older Runs', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = 'switchboard.olderRuns';
    item.iconPath = new vscode.ThemeIcon('history');
    item.description = `${formatCount(count)} finished`;
    item.tooltip = 'Finished runs older than the newest 50 (switchboard list --all shows every one)';
    item.contextValue = 'olderRuns';
    item.accessibilityInformation = { label: `Older Runs, ${count} finished` };
    return item;
  }

  getChildren(element?: ViewNode): ViewNode[] {
    if (element && isOlderNode(element)) {
      if (!this.registry) return [];
      const runs = this.registry.briefs();
      return this.rows(runs, this.registry.wholeOf(recentRuns(runs).older.filter((r) => !this.top.has(r.id))));
    }
    if (element) return isCompareNode(element) ? this.compares.children(element) : [];
    if (!this.registry) return [];
    this.listRequestedAt = undefined;
    this.listedComparisons = this.compares.hasAny();
    // Every run's brief for the order and the counts; whole records only for the rows shown.
    const runs = this.registry.briefs();
    const { shown, older } = recentRuns(runs);
    this.top = new Set(shown.map((r) => r.id));
    const rows = this.rows(runs, this.registry.wholeOf(shown));
    const top = older.length > 0 ? [...rows, OLDER_RUNS] : rows;
    this.settleListed();
    return this.listedComparisons ? [COMPARISONS, ...top] : top;
  }

  /** The nodes of `rows` (kept from one call to the next; see `nodes`), of the `runs` listed; runs no longer listed are forgotten. */
  private rows(runs: readonly RunBrief[], rows: RunRecord[]): RunRecord[] {
    // The first time (VS Code waits for the answer) there is nothing to forget.
    const listed = this.nodes.size > 0 ? new Set(runs.map((r) => r.id)) : undefined;
    for (const id of this.nodes.keys()) {
      if (listed?.has(id)) continue;
      this.nodes.delete(id);
      this.shown.delete(id);
      this.redrawing.delete(id);
    }
    this.order = runs.map((r) => r.id);
    return rows.map((run) => {
      const node = this.nodes.get(run.id);
      if (node) return refill(node, run);
      const created = { ...run };
      this.nodes.set(run.id, created);
      return created;
    });
  }

  private scheduleRefresh(): void {
    this.pending ??= setTimeout(() => this.refreshNow(), REFRESH_MS);
  }

  private refreshNow(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    const runs = this.registry?.briefs() ?? [];
    let running = 0;
    for (const run of runs) if (run.status === 'running') running++;
    if (running !== this.badgeCount) {
      this.badgeCount = running;
      this.view.badge = running > 0 ? { value: running, tooltip: `${running} agent${running === 1 ? '' : 's'} running` } : undefined;
      void vscode.commands.executeCommand('setContext', 'switchboard.runningCount', running);
    }
    const now = Date.now();
    const comparesChanged = this.comparesChanged;
    this.comparesChanged = false;
    const comparisonsCame = comparesChanged && this.compares.hasAny() !== this.listedComparisons;
    // A run that ends stays in its place but leaves the live ones: with as many finished runs as the
    // top shows, the oldest of them goes under Older Runs.
    const topChanged = recentCount(runs) !== this.top.size;
    if (comparisonsCame || topChanged || runs.length !== this.order.length || runs.some((run, i) => run.id !== this.order[i])) {
      // Runs came, went or changed places (or between the top and Older Runs): VS Code asks for the whole list (once, however often this runs before it does).
      if (!this.awaitingList(now)) {
        this.listRequestedAt = now;
        this.changed.fire();
      }
    } else if (this.updated.size > 0 && !this.awaitingList(now)) {
      const redraw: RunRecord[] = [];
      const updated = runs.filter((run) => this.updated.has(run.id) && this.nodes.has(run.id));
      for (const run of this.registry?.wholeOf(updated) ?? []) {
        const node = this.nodes.get(run.id)!;
        if (this.needsRedraw(refill(node, run), now)) redraw.push(node);
      }
      if (redraw.length > 0) this.changed.fire(redraw);
    }
    // The comparisons and their runs' rows are drawn again together (few rows, seldom).
    if (comparesChanged && this.listedComparisons && !comparisonsCame && !this.awaitingList(now)) this.changed.fire([COMPARISONS]);
    this.updated.clear();
    this.scheduleTick();
  }

  /** The whole list was handed to VS Code to ask for again and it has not yet (the rows it gets then are current). */
  private awaitingList(now: number): boolean {
    return this.listRequestedAt !== undefined && now - this.listRequestedAt < REDRAW_PATIENCE_MS;
  }

  /** The row's text differs from what it shows, and it is not already waiting for VS Code to redraw it. */
  private needsRedraw(node: RunRecord, now: number): boolean {
    if (runFingerprint(node, now) === this.shown.get(node.id)) return false;
    const since = this.redrawing.get(node.id);
    if (since !== undefined && now - since < REDRAW_PATIENCE_MS) return false;
    this.redrawing.set(node.id, now);
    return true;
  }

  /** Redraws the running rows whose elapsed time has turned since they were drawn (but the one whose tooltip shows). */
  private tick(): void {
    const now = Date.now();
    if (this.awaitingList(now)) return;
    const redraw: RunRecord[] = [];
    for (const node of this.nodes.values()) if (node.status === 'running' && !this.hover.holds(node.id, now) && this.needsRedraw(node, now)) redraw.push(node);
    if (redraw.length > 0) this.changed.fire(redraw);
  }

  private scheduleTick(): void {
    const wanted = this.view.visible && this.badgeCount > 0;
    if (wanted && !this.ticker) this.ticker = setInterval(() => this.tick(), TICK_MS);
    if (!wanted && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

}

/** Makes `node` a copy of `run` again, keeping the object (fields `run` no longer has are removed). */
function refill(node: RunRecord, run: RunRecord): RunRecord {
  for (const key of Object.keys(node)) if (!(key in run)) delete (node as unknown as Record<string, unknown>)[key];
  return Object.assign(node, run);
}
