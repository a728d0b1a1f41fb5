/**
 * The details of the selected task, beside the graph: its description, dependencies (each a link
 * to its node), result (commit, files, summary) or failure, worker, runner, attempts, times and
 * spend, the last lines of its run's output, and buttons for what can be done with it. Everything
 * is set as text.
 */
import type { DagAction, DagHeader, DagNode } from '../../shared/protocol/dagProtocol';
import { custom, el, formatDuration, formatTokens, formatUsd } from '../shared/dom';
import { elapsedOf } from './nodeElement';
import { STATUS_LOOK } from './statusLook';

export interface DetailsEvents {
  act(action: DagAction, task: string): void;
  goTo(task: string): void;
  /** The last lines of the task's run's output. */
  output(task: string): Promise<string[]>;
}

export class Details {
  readonly element: HTMLElement;
  private shown: string | undefined;

  constructor(private readonly events: DetailsEvents) {
    this.element = el('aside', { class: 'details', attrs: { 'aria-label': 'Task details', 'aria-live': 'polite' } });
    this.clear();
  }

  private clear(): void {
    this.shown = undefined;
    this.element.replaceChildren(el('p', { class: 'hint' }, 'Select a task to see its details. Double-click (or Enter) opens its output; right-click for more.'));
  }

  /** Shows `node` (undefined: nothing selected); `refresh` keeps the output already shown when it is the same task. */
  show(node: DagNode | undefined, header: DagHeader, dependents: string[]): void {
    if (!node) return this.clear();
    const same = this.shown === node.id;
    this.shown = node.id;
    const rows: [string, Node | string][] = [];
    const link = (id: string): HTMLElement => {
      const a = el('a', { attrs: { href: '#', role: 'button' } }, id);
      a.addEventListener('click', (e) => {
        e.preventDefault();
        this.events.goTo(id);
      });
      return a;
    };
    const links = (ids: string[]): Node => el('span', {}, ...ids.flatMap((id, i) => [i ? ', ' : '', link(id)]));
    if (node.description) rows.push(['Description', node.description]);
    rows.push(['Depends on', node.dependsOn.length ? links(node.dependsOn) : 'nothing']);
    if (dependents.length) rows.push(['Needed by', links(dependents)]);
    if (node.blockedBy?.length) rows.push(['Blocked by', el('span', {}, links(node.blockedBy), ' (will not be done)')]);
    if (node.worker) rows.push(['Worker', `${node.worker}${node.runner ? ` · ${node.runner}` : ''}`]);
    rows.push(['Attempts', String(node.attempts)]);
    const elapsed = elapsedOf(node);
    if (elapsed !== undefined) rows.push(['Elapsed', formatDuration(elapsed)]);
    if (node.usd !== undefined || node.tokens) rows.push(['Spend', `${node.usd !== undefined ? `${formatUsd(node.usd)} ${node.usdEstimated ? '(estimated)' : '(reported)'}` : 'no cost reported'}${node.tokens ? `, ${formatTokens(node.tokens)} tokens` : ''}`]);
    if (node.result?.commit) rows.push(['Commit', node.result.commit.slice(0, 12)]);
    if (node.result?.files?.length) rows.push(['Files', node.result.files.join(', ')]);
    if (node.result?.summary) rows.push(['Result', node.result.summary]);
    if (node.reason) rows.push([node.status === 'failed' ? 'Failure' : 'Why', node.reason]);
    const actions: [DagAction, string, boolean][] = [
      ['openOutput', 'Open Output', !!node.runId],
      ['cancel', 'Cancel Task', header.active && !['done', 'failed', 'blocked', 'cancelled'].includes(node.status)],
      ['retry', 'Retry Task', header.active && (node.status === 'failed' || node.status === 'cancelled')],
      ['diff', 'Open Worker Diff', !!node.hasBranch],
      ['steer', 'Steer Worker…', !!node.runRunning],
    ];
    const buttons = el('div', { class: 'actions' });
    for (const [action, label, enabled] of actions) {
      if (!enabled) continue;
      const button = custom('vscode-button', action === 'openOutput' ? {} : { secondary: '' }, label);
      button.addEventListener('click', () => this.events.act(action, node.id));
      buttons.append(button);
    }
    const output = same ? this.element.querySelector('pre.output') : undefined;
    this.element.replaceChildren(
      el('h2', {}, el('span', { class: `badge s-${node.status}` }, `${STATUS_LOOK[node.status].icon} ${STATUS_LOOK[node.status].word}`), ' ', el('span', { class: 'task-id' }, node.id)),
      el('p', { class: 'task-title' }, node.title),
      buttons,
      el('dl', {}, ...rows.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)])),
      el('h3', {}, 'Output (last lines)'),
      output ?? el('pre', { class: 'output' }, node.runId ? 'reading…' : 'It has not run yet.'),
    );
    if (node.runId) void this.fillOutput(node.id);
  }

  private async fillOutput(task: string): Promise<void> {
    let text: string;
    try {
      const lines = await this.events.output(task);
      text = lines.length ? lines.join('\n') : '(no output yet)';
    } catch (error) {
      text = `Could not read the output: ${(error as Error).message}`;
    }
    const pre = this.element.querySelector('pre.output');
    if (this.shown === task && pre) pre.textContent = text;
  }
}
