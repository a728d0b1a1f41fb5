/**
 * The controller of one DAG panel (`team:<name>` or `goal:<id>`, a goal showing its current team):
 * follows the team through the Teams view's watcher (itself fed by the live feed), sends the whole
 * graph with its layout (from the host's layout worker, see dagLayouts.ts) when tasks or edges
 * change and only the changed nodes otherwise, and carries out what the webview asks by running the
 * extension's own commands (output, cancel, retry, worker diff, steer).
 */
import * as vscode from 'vscode';
import { SwitchboardError } from '../../core/errors';
import type { Disposable } from '../../core/events';
import { Lifecycle, toDisposable } from '../../core/lifecycle';
import { readableTail } from '../../ops/runOutput';
import { shapeOf } from '../../shared/dagLayout';
import type { DagGraph, DagInitial, DagPanelState, DagProtocol } from '../../shared/protocol/dagProtocol';
import type { CommandMessage, RequestMessage } from '../../shared/protocol/ipc';
import type { GoalWatcher } from '../goals/goalWatcher';
import type { Services } from '../services';
import type { TeamWatcher } from '../teams/teamWatcher';
import { changedNodes, dagGraph, sameShape } from './dagModel';
import { isLayout, type DagLayouts } from './dagLayouts';
import type { PanelController, Post } from './webviewPanels';

const OUTPUT_LINES = 40;
/**
 * The newest few teams' graphs are kept laid out in the background (from a little after activation,
 * and again when teams come or their tasks change), so that the DAG a person opens is drawn at once;
 * only graphs large enough for their layout to be noticed (small ones are laid out in a blink when
 * shown, and a window of small teams never starts the worker), and not the largest: those are laid
 * out when shown.
 */
const PREPARED_TEAMS = 3;
const PREPARED_MIN_TASKS = 100;
const PREPARED_MAX_TASKS = 2000;
const PREPARE_AFTER_MS = 3000;

export interface DagSources {
  services: Services;
  teams: TeamWatcher;
  goals: GoalWatcher;
}

/** Keeps the newest teams' graphs laid out in the background (see PREPARED_TEAMS). */
export function prepareLayouts(teams: TeamWatcher, layouts: DagLayouts): Disposable {
  const prepare = (): void => {
    for (const { view } of teams.list().slice(0, PREPARED_TEAMS)) {
      const { name, tasks } = view.team;
      if (layouts.available && tasks.length >= PREPARED_MIN_TASKS && tasks.length <= PREPARED_MAX_TASKS && !layouts.known(tasks)) layouts.layout(tasks, name).catch(() => undefined);
    }
  };
  let listening: Disposable | undefined;
  const timer = setTimeout(() => {
    prepare();
    listening = teams.onDidChange(prepare);
  }, PREPARE_AFTER_MS).unref();
  return toDisposable(() => {
    clearTimeout(timer);
    listening?.dispose();
  });
}

export const dagKey = (kind: 'team' | 'goal', id: string): string => `${kind}:${id}`;

export class DagController extends Lifecycle implements PanelController<DagProtocol> {
  private readonly kind: 'team' | 'goal';
  private readonly id: string;
  /** What the webview shows now (the last graph or nodes sent). */
  private shown: DagGraph;
  /** Whether the webview has the layout of `shown` (or lays it out itself); false while the worker lays it out. */
  private laidOut: boolean;
  /** What the HTML embeds (a hidden webview comes back from it). */
  private readonly embedded: DagInitial;
  /** A graph the worker could not lay out (the webview tries). */
  private unplaced: string | undefined;

  constructor(key: string, private readonly sources: DagSources, private readonly post: Post<DagProtocol>, private readonly layouts: DagLayouts, restored?: Partial<DagPanelState>) {
    super();
    const [kind, ...rest] = key.split(':');
    if ((kind !== 'team' && kind !== 'goal') || !rest.length) throw new SwitchboardError('invalid_argument', `Not a DAG panel: ${key}.`);
    this.kind = kind;
    this.id = rest.join(':');
    // The layout a restored webview kept, and the worker kept warm while the panel is open.
    if (isLayout(restored?.layout)) layouts.remember(restored.layout);
    this.register(layouts.hold());
    this.shown = this.current();
    this.embedded = this.withLayout(this.shown);
    this.laidOut = !this.embedded.layoutPending;
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
    return this.embedded;
  }

  /**
   * The graph with its layout when it is kept; else marked pending while the worker lays it out (the
   * graph is sent again when it is done); else bare, for the webview to lay out (no worker, or the
   * worker could not).
   */
  private withLayout(graph: DagGraph): DagInitial {
    if (!graph.nodes.length) return { ...graph, layout: { shape: shapeOf([]), width: 0, height: 0, nodes: [], edges: [] } };
    const layout = this.layouts.known(graph.nodes);
    if (layout) return { ...graph, layout };
    const shape = shapeOf(graph.nodes);
    if (!this.layouts.available || this.unplaced === shape) return graph;
    this.layouts.layout(graph.nodes).then(
      () => !this.isDisposed && this.update(),
      () => {
        this.unplaced = shape;
        if (!this.isDisposed) this.update();
      },
    );
    return { ...graph, layoutPending: true };
  }

  /**
   * Tells the webview what changed since it was last told (`from`, laid out or not): only the changed
   * nodes while the tasks and edges stay, else the whole graph with its layout. A graph whose new
   * layout is under way is sent once it is done (the old one stays on screen meanwhile).
   */
  private update(from = this.shown, fromLaidOut = this.laidOut): void {
    const next = this.current();
    if (sameShape(from, next) && (fromLaidOut || this.layouts.pending(next.nodes))) {
      const nodes = changedNodes(from, next);
      const { nodes: _all, ...header } = next;
      const { nodes: _before, ...before } = from;
      // (Set before posting: the panel's title follows what was last sent.)
      this.shown = next;
      if (nodes.length || JSON.stringify(header) !== JSON.stringify({ ...before, at: header.at })) this.post('nodes', { header, nodes });
      return;
    }
    const graph = this.withLayout(next);
    if (graph.layoutPending && fromLaidOut) return;
    this.shown = next;
    this.laidOut = !graph.layoutPending;
    this.post('graph', graph);
  }

  command(message: CommandMessage<DagProtocol>): Promise<void> | void {
    if (message.method === 'ready') return this.update(this.embedded, !this.embedded.layoutPending);
    if (message.method === 'layout') {
      if (isLayout(message.params)) this.layouts.remember(message.params);
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
