/**
 * A tree view over the snapshots of a SnapshotWatcher (the Teams and Goals views): a row per
 * record (newest first) with groups below it, one node object per row for as long as it exists (VS
 * Code keys rows, and menu arguments, by element). A change redraws only what changed: the whole
 * list when records come or go, a record's row when its own text or its groups changed (VS Code asks
 * again for everything below a row it redraws), a group when its rows came or went, else the rows
 * whose text changed. Tooltips are built only for the row hovered. The badge counts records at work.
 */
import * as vscode from 'vscode';
import { Lifecycle } from '../../core/lifecycle';
import type { SnapshotsChange, SnapshotWatcher } from '../snapshotWatcher';
import { HoverHold } from './hoverHold';

/** Every row of these views names the record it belongs to and says what it is. */
interface RowNode {
  kind: string;
}

/** What a subclass says about its rows. */
export interface RowSource<N extends RowNode, S> {
  /** The record a row belongs to, and a snapshot's record. */
  recordOf(node: N): string;
  idOf(snapshot: S): string;
  rootNode(record: string): N;
  key(node: N): string;
  /** The row, without its tooltip; undefined when what it shows is gone. */
  item(node: N, snapshot: S, expanded: boolean, now: number): vscode.TreeItem | undefined;
  tooltip(node: N, snapshot: S): vscode.MarkdownString | undefined;
  children(node: N, snapshot: S): N[];
  parent(node: N): N | undefined;
  /** The rows of each group of a record, to tell a group whose rows came or went. */
  members(snapshot: S): Partial<Record<string, string>>;
  /** At work: counted in the badge, and open expanded when first seen. */
  isActive(snapshot: S): boolean;
  /** The badge's tooltip for `n` records at work. */
  badge(n: number): string;
}

/** Everything the row shows, as one string (its tooltip is rebuilt when this changes). */
export function rowPrint(item: vscode.TreeItem | undefined): string {
  if (!item) return '';
  const iconPath = item.iconPath instanceof vscode.ThemeIcon ? `${item.iconPath.id}:${item.iconPath.color?.id ?? ''}` : '';
  return [item.label, item.description, iconPath, item.contextValue, item.accessibilityInformation?.label, item.command?.command, item.collapsibleState].join('\u0001');
}

export class SnapshotTreeView<N extends RowNode, S> extends Lifecycle implements vscode.TreeDataProvider<N> {
  protected readonly changed = new vscode.EventEmitter<N[] | void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<N>;
  protected readonly nodes = new Map<string, N>();
  /** Records first seen at work open expanded; the others start collapsed. */
  protected readonly expanded = new Set<string>();
  /** What each row showed when last drawn or redrawn (rowPrint). */
  private readonly shown = new Map<string, string>();
  /** Each record's groups' rows (by the group's key) when last drawn. */
  private readonly members = new Map<string, Record<string, string>>();
  private activeCount = -1;
  /** The row whose tooltip shows, which a view's clock leaves alone meanwhile. */
  protected readonly hover = new HoverHold();

  constructor(
    private readonly viewId: string,
    protected readonly watcher: SnapshotWatcher<S>,
    protected readonly rows: RowSource<N, S>,
  ) {
    super();
    this.view = this.register(vscode.window.createTreeView(viewId, { treeDataProvider: this, showCollapseAll: true }));
    this.register(this.changed);
    this.register(watcher.onDidChange((change) => this.update(change)));
  }

  getTreeItem(node: N): vscode.TreeItem {
    const snapshot = this.watcher.get(this.rows.recordOf(node));
    const item = snapshot && this.rows.item(node, snapshot, this.expanded.has(this.rows.recordOf(node)), Date.now());
    this.shown.set(this.rows.key(node), rowPrint(item));
    return item ?? new vscode.TreeItem('(gone)');
  }

  resolveTreeItem(item: vscode.TreeItem, node: N): vscode.TreeItem {
    const snapshot = this.watcher.get(this.rows.recordOf(node));
    item.tooltip = snapshot && this.rows.tooltip(node, snapshot);
    this.hover.hovered(this.rows.key(node));
    return item;
  }

  getChildren(node?: N): N[] {
    if (!node) {
      return this.watcher.list().map((snapshot) => {
        const record = this.rows.idOf(snapshot);
        const root = this.rows.rootNode(record);
        if (!this.nodes.has(this.rows.key(root)) && this.rows.isActive(snapshot)) this.expanded.add(record);
        return this.node(root);
      });
    }
    const snapshot = this.watcher.get(this.rows.recordOf(node));
    if (!snapshot) return [];
    if (!this.rows.parent(node) || this.isGroup(node)) this.members.set(this.rows.recordOf(node), this.groupMembers(snapshot, this.rows.recordOf(node)));
    return this.rows.children(node, snapshot).map((child) => this.node(child));
  }

  /** The row a node hangs from (VS Code reveals a row through its parents). */
  getParent(node: N): N | undefined {
    const parent = this.rows.parent(node);
    return parent && this.node(parent);
  }

  /** Shows a row: its record and group expanded, the row selected and focused. */
  async reveal(node: N): Promise<void> {
    await vscode.commands.executeCommand(`${this.viewId}.focus`);
    await this.view.reveal(this.node(node), { select: true, focus: true, expand: false });
  }

  /** The rows of each group of a record, by the group's key. */
  private groupMembers(snapshot: S, record: string): Record<string, string> {
    const members = this.rows.members(snapshot);
    return Object.fromEntries(this.rows.children(this.rows.rootNode(record), snapshot).map((g) => [this.rows.key(g), members[g.kind] ?? '']));
  }

  /** A group: a row whose parent is a record's row. */
  private isGroup(node: N): boolean {
    const parent = this.rows.parent(node);
    return !!parent && !this.rows.parent(parent);
  }

  /** The row the view shows for this node (the same object every time). */
  protected node(node: N): N {
    const key = this.rows.key(node);
    const known = this.nodes.get(key);
    if (known) return known;
    this.nodes.set(key, node);
    return node;
  }

  private update(change: SnapshotsChange): void {
    this.updateBadge();
    if (change.listChanged) {
      this.forget();
      this.changed.fire();
      return;
    }
    const redraw = change.changed.flatMap((id) => this.changedRows(id));
    if (redraw.length > 0) this.changed.fire(redraw);
  }

  /** The rows of one record to redraw: its row (and so all below it), or its groups whose rows came or went, and single rows. */
  private changedRows(record: string): N[] {
    const snapshot = this.watcher.get(record);
    const root = this.nodes.get(this.rows.key(this.rows.rootNode(record)));
    if (!snapshot || !root) return [];
    if (this.differs(root, snapshot)) return [root];
    const before = this.members.get(record);
    const now = this.groupMembers(snapshot, record);
    // Groups came or went (or became another row: an empty group is a row of its own).
    if (before && Object.keys(before).join() !== Object.keys(now).join()) return [root];
    const groups = Object.keys(now).map((key) => this.nodes.get(key)).filter((g): g is N => !!g);
    const redrawn = new Set(groups.filter((g) => before && before[this.rows.key(g)] !== now[this.rows.key(g)]));
    const rows: N[] = [...redrawn];
    for (const node of this.nodes.values()) {
      if (node === root || redrawn.has(node) || this.rows.recordOf(node) !== record || this.under(node, redrawn)) continue;
      if (this.differs(node, snapshot)) rows.push(node);
    }
    return rows;
  }

  /** Whether a row hangs below one of these (VS Code redraws those with all below them). */
  private under(node: N, redrawn: Set<N>): boolean {
    if (redrawn.size === 0) return false;
    for (let parent = this.rows.parent(node); parent; parent = this.rows.parent(parent)) if (redrawn.has(this.node(parent))) return true;
    return false;
  }

  /** The row was drawn and now shows something else (it is taken as redrawn from here on). */
  protected differs(node: N, snapshot: S, now = Date.now()): boolean {
    const key = this.rows.key(node);
    const shown = this.shown.get(key);
    if (shown === undefined) return false;
    const print = rowPrint(this.rows.item(node, snapshot, this.expanded.has(this.rows.recordOf(node)), now));
    if (print === shown) return false;
    this.shown.set(key, print);
    return true;
  }

  /** Drops the rows of records that went (the whole list is asked for again). */
  private forget(): void {
    for (const [key, node] of this.nodes) {
      const record = this.rows.recordOf(node);
      if (this.watcher.get(record)) continue;
      this.nodes.delete(key);
      this.shown.delete(key);
      this.members.delete(record);
    }
  }

  private updateBadge(): void {
    const active = this.watcher.list().filter((s) => this.rows.isActive(s)).length;
    if (active === this.activeCount) return;
    this.activeCount = active;
    this.view.badge = active > 0 ? { value: active, tooltip: this.rows.badge(active) } : undefined;
  }
}
