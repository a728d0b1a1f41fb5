/**
 * The controller of one DAG panel (`team:<name>` or `goal:<id>`, a goal showing its current team):
 * follows the team through the Teams view's watcher (itself fed by the live feed), sends the whole
 * graph when tasks or edges change and only the changed nodes otherwise, and carries out what the
 * webview asks by running the extension's own commands (output, cancel, retry, worker diff, steer).
 */
import * as vscode from 'vscode';
import { SwitchboardError } from '../../core/errors';
import { Lifecycle } from '../../core/lifecycle';
import { readableTail } from '../../ops/runOutput';
import type { CachedLayout, DagGraph, DagInitial, DagProtocol } from '../../shared/protocol/dagProtocol';
import type { CommandMessage, RequestMessage } from '../../shared/protocol/ipc';
import type { GoalWatcher } from '../goals/goalWatcher';
import type { Services } from '../services';
import type { TeamWatcher } from '../teams/teamWatcher';
import { changedNodes, dagGraph, sameShape } from './dagModel';
import type { PanelController, Post } from './webviewPanels';

const OUTPUT_LINES = 40;
/** Layouts kept for graphs shown again (by panel key, the newest few). */
const LAYOUTS = new Map<string, CachedLayout>();
const KEPT_LAYOUTS = 8;

export interface DagSources {
  services: Services;
  teams: TeamWatcher;
  goals: GoalWatcher;
}

export const dagKey = (kind: 'team' | 'goal', id: string): string => `${kind}:${id}`;

export class DagController extends Lifecycle implements PanelController<DagProtocol> {
  private readonly kind: 'team' | 'goal';
  private readonly id: string;
  /** What the webview shows now (the last graph or nodes sent). */
  private shown: DagGraph;
  /** What the HTML embeds (a hidden webview comes back from it). */
  private readonly embedded: DagGraph;

  constructor(key: string, private readonly sources: DagSources, private readonly post: Post<DagProtocol>) {
    super();
    const [kind, ...rest] = key.split(':');
    if ((kind !== 'team' && kind !== 'goal') || !rest.length) throw new SwitchboardError('invalid_argument', `Not a DAG panel: ${key}.`);
    this.kind = kind;
    this.id = rest.join(':');
    this.shown = this.embedded = this.current();
    this.register(sources.teams.onDidChange(({ changed, listChanged }) => (listChanged || changed.includes(this.shown.team ?? '')) && this.update()));
    if (kind === 'goal') this.register(sources.goals.onDidChange(({ changed }) => changed.includes(this.id) && this.update()));
  }

  private teamName(): string | undefined {
    return this.kind === 'team' ? this.id : (this.sources.goals.get(this.id) ?? this.sources.goals.reread(this.id))?.view.goal.team;
  }

  private current(): DagGraph {
    const key = dagKey(this.kind, this.id);
    const team = this.teamName();
    if (this.kind === 'goal') {
      const goal = this.sources.goals.get(this.id)?.view.goal;
      const title = `DAG: ${goal?.normalizedGoal ?? this.id}`;
      if (!team) return dagGraph(key, title, undefined, goal ? 'The goal has no team yet: its graph shows here once its first iteration starts.' : `There is no goal ${this.id}.`);
      return dagGraph(key, title, this.sources.teams.get(team) ?? this.sources.teams.reread(team));
    }
    return dagGraph(key, `DAG: ${this.id}`, this.sources.teams.get(this.id) ?? this.sources.teams.reread(this.id));
  }

  title(): string {
    return `${this.shown.title} (${this.shown.status})`;
  }

  initial(): DagInitial {
    const layout = LAYOUTS.get(dagKey(this.kind, this.id));
    return layout ? { ...this.embedded, layout } : this.embedded;
  }

  /** Tells the webview what changed since it was last told (`from`): the whole graph, or the changed nodes. */
  private update(from = this.shown): void {
    const next = this.current();
    if (!sameShape(from, next)) this.post('graph', next);
    else {
      const nodes = changedNodes(from, next);
      const { nodes: _all, ...header } = next;
      const { nodes: _before, ...before } = from;
      if (nodes.length || JSON.stringify(header) !== JSON.stringify({ ...before, at: header.at })) this.post('nodes', { header, nodes });
    }
    this.shown = next;
  }

  command(message: CommandMessage<DagProtocol>): Promise<void> | void {
    if (message.method === 'ready') return this.update(this.embedded);
    if (message.method === 'layout') {
      const key = dagKey(this.kind, this.id);
      LAYOUTS.delete(key);
      LAYOUTS.set(key, message.params);
      for (const old of [...LAYOUTS.keys()].slice(0, Math.max(0, LAYOUTS.size - KEPT_LAYOUTS))) LAYOUTS.delete(old);
      return;
    }
    return this.act(message.params.action, message.params.task);
  }

  private node(task: string) {
    const node = this.shown.nodes.find((n) => n.id === task);
    if (!node) throw new SwitchboardError('invalid_argument', `There is no task ${task} in this graph.`);
    return node;
  }

  private async act(action: DagProtocol['commands']['act']['action'], task: string): Promise<void> {
    const node = this.node(task);
    const team = this.shown.team;
    const run = (): unknown => {
      if (!node.runId) throw new SwitchboardError('unknown_run', `Task ${task} has not run yet.`);
      return this.sources.services.switchboard().runs.resolve(node.runId);
    };
    switch (action) {
      case 'openOutput':
        return void (await vscode.commands.executeCommand('switchboard.showAgentOutput', run()));
      case 'steer':
        return void (await vscode.commands.executeCommand('switchboard.steerAgent', run()));
      case 'cancel':
        return void (await vscode.commands.executeCommand('switchboard.cancelTeamTask', { team, task }));
      case 'retry':
        return void (await vscode.commands.executeCommand('switchboard.retryTeamTask', { team, task }));
      case 'diff':
        if (!node.worker) throw new SwitchboardError('invalid_argument', `Task ${task} has no worker yet.`);
        return void (await vscode.commands.executeCommand('switchboard.openWorkerDiff', { team, worker: node.worker }));
    }
  }

  async request(message: RequestMessage<DagProtocol>): Promise<DagProtocol['requests']['details']['result']> {
    const node = this.node(message.params.task);
    if (!node.runId) return { outputTail: [] };
    const runs = this.sources.services.switchboard().runs;
    const text = readableTail(runs, runs.resolve(node.runId), OUTPUT_LINES);
    return { outputTail: text ? text.split('\n') : [] };
  }
}
