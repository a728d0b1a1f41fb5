/**
 * The budget report's tables: a sortable breakdown (by runner, model, worker or task; a header
 * click sorts by it), the checkpoints, and the goal's timeline filtered by kind and actor. Cells
 * are set as text.
 */
import type { BreakdownKind, BreakdownLine, BudgetCheckpoint, TimelineEntry } from '../../shared/protocol/budgetProtocol';
import { BREAKDOWNS } from '../../shared/protocol/budgetProtocol';
import { custom, el, formatTokens, formatUsd } from '../shared/dom';

const SOURCE_WORDS: Record<BreakdownLine['usdSource'], string> = { reported: 'reported', estimated: 'estimated (~)', mixed: 'reported + estimated', none: 'no cost reported' };
type Column = { key: keyof BreakdownLine; label: string; numeric: boolean };
const COLUMNS: Column[] = [
  { key: 'key', label: 'Name', numeric: false },
  { key: 'usd', label: 'Dollars', numeric: true },
  { key: 'usdSource', label: 'Source', numeric: false },
  { key: 'tokens', label: 'Tokens', numeric: true },
  { key: 'runs', label: 'Runs', numeric: true },
];

const table = (caption: string, head: HTMLElement[], rows: HTMLElement[][]): HTMLTableElement =>
  el('table', {}, el('caption', {}, caption), el('thead', {}, el('tr', {}, ...head)), el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells))));

export class Breakdown {
  readonly element = el('section', { class: 'breakdown', attrs: { 'aria-label': 'Where the spend went' } });
  private kind: BreakdownKind = 'runner';
  private sort: { key: keyof BreakdownLine; descending: boolean } = { key: 'usd', descending: true };
  private lines: Record<BreakdownKind, BreakdownLine[]> | undefined;

  show(lines: Record<BreakdownKind, BreakdownLine[]>): void {
    this.lines = lines;
    const tabs = el('div', { class: 'tabs', attrs: { role: 'group', 'aria-label': 'Break the spend down by' } });
    for (const kind of BREAKDOWNS) {
      const button = custom('vscode-button', kind === this.kind ? { 'aria-pressed': 'true' } : { secondary: '', 'aria-pressed': 'false' }, `By ${kind}`);
      button.addEventListener('click', () => {
        this.kind = kind;
        this.show(lines);
      });
      tabs.append(button);
    }
    const sorted = [...lines[this.kind]].sort((a, b) => {
      const [x, y] = [a[this.sort.key], b[this.sort.key]];
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return this.sort.descending ? -order : order;
    });
    const head = COLUMNS.map((c) => {
      const sortedHere = this.sort.key === c.key;
      const button = el('button', { class: 'sort', attrs: { type: 'button' } }, c.label, sortedHere ? (this.sort.descending ? ' ▼' : ' ▲') : '');
      button.addEventListener('click', () => {
        this.sort = { key: c.key, descending: sortedHere ? !this.sort.descending : c.numeric };
        this.show(lines);
      });
      return el('th', { attrs: { scope: 'col', 'aria-sort': sortedHere ? (this.sort.descending ? 'descending' : 'ascending') : 'none', class: c.numeric ? 'num' : '' } }, button);
    });
    const rows = sorted.map((l) => [
      el('td', {}, l.key),
      el('td', { class: 'num' }, `${l.usdSource === 'estimated' ? '~' : ''}${formatUsd(l.usd)}`),
      el('td', {}, SOURCE_WORDS[l.usdSource]),
      el('td', { class: 'num' }, formatTokens(l.tokens)),
      el('td', { class: 'num' }, String(l.runs)),
    ]);
    this.element.replaceChildren(el('h2', {}, 'Breakdown'), tabs, rows.length ? table(`Spend by ${this.kind}`, head, rows) : el('p', { class: 'hint' }, 'No runs yet.'));
  }

  /** Shows the current lines again (after a sort or a tab change outside show). */
  refresh(): void {
    if (this.lines) this.show(this.lines);
  }
}

export function checkpointsTable(checkpoints: BudgetCheckpoint[]): HTMLElement {
  if (!checkpoints.length) return el('p', { class: 'hint' }, 'No checkpoints recorded.');
  const head = ['Checkpoint', 'When', 'Status', 'Dollars', 'Tokens'].map((h) => el('th', { attrs: { scope: 'col' } }, h));
  return table('Checkpoints', head, checkpoints.map((c) => [
    el('td', { class: c.label.startsWith('budget_') ? 'warn' : '' }, c.label),
    el('td', {}, new Date(c.at).toLocaleString()),
    el('td', {}, c.status),
    el('td', { class: 'num' }, formatUsd(c.usd)),
    el('td', { class: 'num' }, formatTokens(c.tokens)),
  ]));
}

const ALL = '(all)';

export class Timeline {
  readonly element = el('section', { class: 'timeline', attrs: { 'aria-label': 'Timeline' } });
  private kind = ALL;
  private actor = ALL;

  show(entries: TimelineEntry[] | undefined): void {
    if (!entries) return void this.element.replaceChildren();
    const select = (label: string, values: string[], current: string, set: (v: string) => void): HTMLElement => {
      const s = custom('vscode-single-select', { 'aria-label': label, class: label.toLowerCase().replace(/\W+/g, '-') }) as HTMLElement & { value: string };
      for (const v of [ALL, ...values]) {
        const option = custom('vscode-option', v === current ? { value: v, selected: '' } : { value: v }, v);
        s.append(option);
      }
      s.addEventListener('change', () => {
        set(s.value);
        this.show(entries);
      });
      return el('label', {}, `${label} `, s);
    };
    const kinds = [...new Set(entries.map((e) => e.kind))].sort();
    const actors = [...new Set(entries.map((e) => e.actor ?? 'none'))].sort();
    const shown = entries.filter((e) => (this.kind === ALL || e.kind === this.kind) && (this.actor === ALL || (e.actor ?? 'none') === this.actor));
    const head = ['When', 'Kind', 'Actor', 'What happened'].map((h) => el('th', { attrs: { scope: 'col' } }, h));
    this.element.replaceChildren(
      el('h2', {}, 'Timeline (replay)'),
      el('div', { class: 'filters' }, select('Kind', kinds, this.kind, (v) => (this.kind = v)), select('Actor', actors, this.actor, (v) => (this.actor = v)), el('span', { class: 'hint', attrs: { 'aria-live': 'polite' } }, `${shown.length} of ${entries.length} events`)),
      table('Timeline', head, shown.map((e) => [el('td', {}, new Date(e.ts).toLocaleTimeString()), el('td', {}, e.kind), el('td', {}, e.actor ?? ''), el('td', {}, e.summary)])),
    );
  }
}
