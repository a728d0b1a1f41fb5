/**
 * The budget report panel's webview: what was spent and what remains, the chart of spend over time
 * against the budget and warning lines with its checkpoints, the sortable breakdown, and a goal's
 * timeline. The first report comes embedded in the page; the host sends it again as it moves.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import './budget.css';
import type { BudgetProtocol, BudgetReportView } from '../../shared/protocol/budgetProtocol';
import { Channel, initialState } from '../shared/vscodeApi';
import { el, formatDuration, formatTokens, formatUsd, onThemeChange } from '../shared/dom';
import { SpendChart } from './chart';
import { afterPaint, metrics } from '../shared/metrics';
import { Breakdown, checkpointsTable, Timeline } from './tables';

const first = initialState<BudgetReportView>();
let report = first.content;

const title = el('h1', {});
const summary = el('section', { class: 'summary', attrs: { 'aria-label': 'Spent and remaining' } });
const note = el('p', { class: 'note', attrs: { role: 'status' } });
const chart = new SpendChart();
const checkpoints = el('section', { class: 'checkpoints' });
const breakdown = new Breakdown();
const timeline = new Timeline();

function card(label: string, value: string, detail?: string): HTMLElement {
  return el('div', { class: 'card' }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value), detail ? el('div', { class: 'detail' }, detail) : undefined);
}

function render(next: BudgetReportView, rebuild = false): void {
  const received = performance.now();
  report = next;
  title.textContent = `${next.title}${next.status ? ` (${next.status})` : ''}`;
  note.textContent = next.note ?? '';
  note.hidden = !next.note;
  const { spent, remaining, limits } = next;
  const warned = (used: number, limit?: number): string => (limit !== undefined && used >= limit * next.warnAt ? (used >= limit ? ' — budget spent' : ' — past the warning line') : '');
  summary.replaceChildren(
    card('Spent', formatUsd(spent.usd), `${formatUsd(spent.reportedUsd)} reported, ~${formatUsd(spent.estimatedUsd)} estimated${warned(spent.usd, limits.usd)}`),
    card('Tokens', formatTokens(spent.tokens), `${spent.runs} run(s)${warned(spent.tokens, limits.tokens)}`),
    ...(limits.usd !== undefined ? [card('Dollars left', formatUsd(remaining.usd ?? 0), `of ${formatUsd(limits.usd)}`)] : []),
    ...(limits.tokens !== undefined ? [card('Tokens left', formatTokens(remaining.tokens ?? 0), `of ${formatTokens(limits.tokens)}`)] : []),
    ...(limits.seconds !== undefined ? [card('Time left', formatDuration((remaining.seconds ?? 0) * 1000), `of ${formatDuration(limits.seconds * 1000)}`)] : []),
    ...(limits.usd === undefined && limits.tokens === undefined && limits.seconds === undefined ? [card('Budget', 'none', 'no limit set here')] : []),
  );
  const chartStarted = performance.now();
  chart.show(next, rebuild);
  metrics.chartMs.push(performance.now() - chartStarted);
  checkpoints.replaceChildren(el('h2', {}, 'Checkpoints'), checkpointsTable(next.checkpoints));
  checkpoints.hidden = !next.key.startsWith('goal:');
  breakdown.show(next.breakdown);
  timeline.show(next.timeline);
  afterPaint((at) => metrics.updateMs.push(at - received));
}

new Channel<BudgetProtocol>((message) => {
  if (message.method === 'report') render(message.params);
}).command('ready', {});

document.body.append(el('main', { class: 'budget' }, title, note, summary, el('section', { attrs: { 'aria-label': 'Spend over time' } }, el('h2', {}, 'Spend over time'), chart.element), checkpoints, breakdown.element, timeline.element));
render(report, true);
afterPaint((at) => (metrics.firstRenderAt = at));
onThemeChange(() => render(report, true));
