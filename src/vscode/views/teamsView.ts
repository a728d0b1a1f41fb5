/**
 * The Teams view: each team (newest first) with its Workers and Tasks, kept current by the
 * TeamWatcher. A change redraws only what changed: the whole list when teams come or go, a Workers
 * or Tasks group when its rows come or go, else just the rows whose text changed (a team row only
 * when its own text did, since VS Code asks again for everything below a row it redraws).
 */
import * as vscode from 'vscode';
import { Lifecycle } from '../../core/lifecycle';
import { isActiveTeam } from '../../core/teams/teamStore';
import type { TeamsChange, TeamSnapshot, TeamWatcher } from '../teams/teamWatcher';
import { nodeKey, rowPrint, teamTreeItem, type TeamNode } from './teamItems';
import { teamTooltip } from './teamTooltip';

export class TeamsView extends Lifecycle implements vscode.TreeDataProvider<TeamNode> {
  private readonly changed = new vscode.EventEmitter<TeamNode[] | void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<TeamNode>;
  /** One object per row for as long as it exists (VS Code keys rows, and menu arguments, by element). */
  private readonly nodes = new Map<string, TeamNode>();
  /** Teams first seen active open expanded; the others start collapsed. */
  private readonly expanded = new Set<string>();
  /** What each row showed when last drawn or redrawn (rowPrint). */
  private readonly shown = new Map<string, string>();
  /** Each team's worker names and task ids when last drawn, to tell a group whose rows came or went. */
  private readonly members = new Map<string, { workers: string; tasks: string }>();
  private activeCount = -1;

  constructor(private readonly watcher: TeamWatcher) {
    super();
    this.view = this.register(vscode.window.createTreeView('switchboard.teams', { treeDataProvider: this, showCollapseAll: true }));
    this.register(this.changed);
    this.register(watcher.onDidChange((change) => this.update(change)));
  }

  getTreeItem(node: TeamNode): vscode.TreeItem {
    const snapshot = this.watcher.get(node.team);
    const item = snapshot && teamTreeItem(node, snapshot, this.expanded.has(node.team));
    this.shown.set(nodeKey(node), rowPrint(item));
    return item ?? new vscode.TreeItem('(gone)');
  }

  resolveTreeItem(item: vscode.TreeItem, node: TeamNode): vscode.TreeItem {
    const snapshot = this.watcher.get(node.team);
    item.tooltip = snapshot && teamTooltip(node, snapshot);
    return item;
  }

  getChildren(node?: TeamNode): TeamNode[] {
    if (!node) {
      return this.watcher.list().map(({ view }) => {
        if (!this.nodes.has(`team:${view.team.name}/`) && isActiveTeam(view.team.status)) this.expanded.add(view.team.name);
        return this.node({ kind: 'team', team: view.team.name });
      });
    }
    const snapshot = this.watcher.get(node.team);
    if (!snapshot) return [];
    if (node.kind === 'team') return [this.node({ kind: 'workers', team: node.team }), this.node({ kind: 'tasks', team: node.team })];
    this.members.set(node.team, membersOf(snapshot));
    if (node.kind === 'workers') return snapshot.view.team.workers.map((w) => this.node({ kind: 'worker', team: node.team, worker: w.name }));
    if (node.kind === 'tasks') return snapshot.view.team.tasks.map((t) => this.node({ kind: 'task', team: node.team, task: t.id }));
    return [];
  }

  /** The row the view shows for this node (the same object every time). */
  private node(node: TeamNode): TeamNode {
    const key = nodeKey(node);
    const known = this.nodes.get(key);
    if (known) return known;
    this.nodes.set(key, node);
    return node;
  }

  private update(change: TeamsChange): void {
    this.updateBadge();
    if (change.listChanged) {
      this.forget();
      this.changed.fire();
      return;
    }
    const redraw: TeamNode[] = [];
    for (const name of change.changed) redraw.push(...this.changedRows(name));
    if (redraw.length > 0) this.changed.fire(redraw);
  }

  /** The rows of one team to redraw: its row (and so all below it), or its groups, or single rows. */
  private changedRows(name: string): TeamNode[] {
    const snapshot = this.watcher.get(name);
    const teamNode = this.nodes.get(`team:${name}/`);
    if (!snapshot || !teamNode) return [];
    const expanded = this.expanded.has(name);
    if (this.differs(teamNode, snapshot, expanded)) return [teamNode];
    const before = this.members.get(name);
    const now = membersOf(snapshot);
    const rows: TeamNode[] = [];
    for (const kind of ['workers', 'tasks'] as const) {
      const group = this.nodes.get(`${kind}:${name}/`);
      if (group && before && before[kind] !== now[kind]) rows.push(group);
    }
    const redrawnGroups = new Set(rows.map((r) => r.kind));
    for (const node of this.nodes.values()) {
      if (node.team !== name || (node.kind !== 'worker' && node.kind !== 'task')) continue;
      if (redrawnGroups.has(node.kind === 'worker' ? 'workers' : 'tasks')) continue;
      if (this.differs(node, snapshot, expanded)) rows.push(node);
    }
    return rows;
  }

  /** The row was drawn and now shows something else (it is taken as redrawn from here on). */
  private differs(node: TeamNode, snapshot: TeamSnapshot, expanded: boolean): boolean {
    const key = nodeKey(node);
    const shown = this.shown.get(key);
    if (shown === undefined) return false;
    const now = rowPrint(teamTreeItem(node, snapshot, expanded));
    if (now === shown) return false;
    this.shown.set(key, now);
    return true;
  }

  /** Drops the rows of teams that went (the whole list is asked for again). */
  private forget(): void {
    for (const [key, node] of this.nodes) {
      if (this.watcher.get(node.team)) continue;
      this.nodes.delete(key);
      this.shown.delete(key);
      this.members.delete(node.team);
    }
  }

  private updateBadge(): void {
    const active = this.watcher.list().filter((s) => isActiveTeam(s.view.team.status)).length;
    if (active === this.activeCount) return;
    this.activeCount = active;
    this.view.badge = active > 0 ? { value: active, tooltip: `${active} team${active === 1 ? '' : 's'} at work` } : undefined;
  }
}

function membersOf(snapshot: TeamSnapshot): { workers: string; tasks: string } {
  const { team } = snapshot.view;
  return { workers: team.workers.map((w) => w.name).join('\0'), tasks: team.tasks.map((t) => t.id).join('\0') };
}
