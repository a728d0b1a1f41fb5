/**
 * A task's node element: its icon, id, title, worker and runner, elapsed time and spend, all set as
 * text; an accessible label saying the same; and the context VS Code's webview context menu reads
 * (data-vscode-context: which task, and which of Cancel, Retry, Worker Diff, Steer apply).
 */
import type { DagNode } from '../../shared/protocol/dagProtocol';
import { el, formatDuration, formatUsd, formatTokens } from '../shared/dom';
import { STATUS_LOOK } from './statusLook';

export function elapsedOf(node: DagNode, now = Date.now()): number | undefined {
  return node.startedAt === undefined ? undefined : (node.endedAt ?? now) - node.startedAt;
}

export function spendText(node: DagNode): string {
  if (node.usd === undefined) return node.tokens ? `${formatTokens(node.tokens)} tok` : '';
  return `${node.usdEstimated ? '~' : ''}${formatUsd(node.usd)}`;
}

export function nodeLabel(node: DagNode, critical: boolean): string {
  const elapsed = elapsedOf(node);
  return [
    `${node.id}: ${node.title}`,
    STATUS_LOOK[node.status].word,
    node.worker && `worker ${node.worker}${node.runner ? ` (${node.runner})` : ''}`,
    elapsed !== undefined && `${formatDuration(elapsed)}`,
    spendText(node),
    node.blockedBy?.length && `waits on ${node.blockedBy.join(', ')}, which will not be done`,
    critical && 'on the critical path',
  ].filter(Boolean).join(', ');
}

/** What the webview context menu's `when` clauses and the commands it runs read. */
function menuContext(node: DagNode, team: string | undefined, active: boolean): string {
  return JSON.stringify({
    webviewSection: 'task',
    preventDefaultContextMenuItems: true,
    team,
    task: node.id,
    ...(node.worker ? { worker: node.worker } : {}),
    ...(node.runId ? { id: node.runId } : {}),
    hasRun: !!node.runId,
    cancellable: active && !['done', 'failed', 'blocked', 'cancelled'].includes(node.status),
    retryable: active && (node.status === 'failed' || node.status === 'cancelled'),
    hasBranch: !!node.hasBranch,
    steerable: !!node.runRunning,
  });
}

export function makeNodeElement(id: string): HTMLElement {
  const element = el(
    'div',
    { class: 'node', attrs: { role: 'button', tabindex: '-1', 'data-id': id } },
    el('div', { class: 'line1' }, el('span', { class: 'icon', attrs: { 'aria-hidden': 'true' } }), el('span', { class: 'id' }), el('span', { class: 'title' })),
    el('div', { class: 'line2' }, el('span', { class: 'who' }), el('span', { class: 'elapsed' }), el('span', { class: 'spend' })),
  );
  return element;
}

const part = (element: HTMLElement, name: string): HTMLElement => element.querySelector(`.${name}`) as HTMLElement;

/** Sets everything a node shows from its task (text only). */
export function fillNode(element: HTMLElement, node: DagNode, flags: { critical: boolean; selected: boolean; match: boolean; team?: string; active: boolean }): void {
  element.className = `node s-${node.status}${flags.critical ? ' critical' : ''}${flags.selected ? ' selected' : ''}${flags.match ? ' match' : ''}`;
  part(element, 'icon').textContent = STATUS_LOOK[node.status].icon;
  part(element, 'id').textContent = node.id;
  part(element, 'title').textContent = node.title;
  part(element, 'who').textContent = node.worker ? `${node.worker}${node.runner ? ` · ${node.runner}` : ''}` : STATUS_LOOK[node.status].word;
  tickNode(element, node);
  part(element, 'spend').textContent = spendText(node);
  element.setAttribute('aria-label', nodeLabel(node, flags.critical));
  element.setAttribute('aria-pressed', String(flags.selected));
  element.tabIndex = flags.selected ? 0 : -1;
  element.dataset.vscodeContext = menuContext(node, flags.team, flags.active);
}

/** Moves a node's clock on (running tasks, every second), and turns a running task's icon a step. */
export function tickNode(element: HTMLElement, node: DagNode, now = Date.now()): void {
  const elapsed = elapsedOf(node, now);
  part(element, 'elapsed').textContent = elapsed === undefined ? '' : formatDuration(elapsed);
  part(element, 'icon').style.transform = node.status === 'running' ? `rotate(${(Math.floor(now / 1000) % 8) * 45}deg)` : '';
}
