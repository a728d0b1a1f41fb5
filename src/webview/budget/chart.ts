/**
 * The spend-over-time chart (uPlot): dollars the CLIs reported and dollars estimated from the price
 * table (dashed), their total, tokens on a second axis, the dollar and token budgets with their
 * warning lines, and the checkpoints as markers. Colours come from the theme.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { BudgetReportView } from '../../shared/protocol/budgetProtocol';
import { formatTokens, formatUsd, themeColor } from '../shared/dom';

const seconds = (ms: number): number => ms / 1000;

/** The chart's columns: time, reported $, estimated $, total $, tokens, $ budget, $ warning, token budget, token warning, checkpoints. */
export function chartData(report: BudgetReportView): uPlot.AlignedData {
  const checkpoints = new Map(report.checkpoints.map((c) => [Math.round(c.at), c]));
  const times = [...new Set([...report.series.map((p) => Math.round(p.at)), ...checkpoints.keys()])].sort((a, b) => a - b);
  const n = times.length;
  const columns = Array.from({ length: 10 }, () => new Array<number | null>(n).fill(null));
  let s = 0;
  let last = report.series[0];
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    while (s < report.series.length && Math.round(report.series[s]!.at) <= t) last = report.series[s++];
    columns[0]![i] = seconds(t);
    columns[1]![i] = last?.reportedUsd ?? 0;
    columns[2]![i] = last?.estimatedUsd ?? 0;
    columns[3]![i] = (last?.reportedUsd ?? 0) + (last?.estimatedUsd ?? 0);
    columns[4]![i] = last?.tokens ?? 0;
    columns[5]![i] = report.limits.usd ?? null;
    columns[6]![i] = report.limits.usd !== undefined ? report.limits.usd * report.warnAt : null;
    columns[7]![i] = report.limits.tokens ?? null;
    columns[8]![i] = report.limits.tokens !== undefined ? report.limits.tokens * report.warnAt : null;
    const c = checkpoints.get(t);
    columns[9]![i] = c ? c.usd : null;
  }
  return columns as uPlot.AlignedData;
}

export class SpendChart {
  readonly element: HTMLElement;
  private plot: uPlot | undefined;

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'chart';
    this.element.setAttribute('role', 'img');
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(this.element);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(300, this.element.clientWidth), height: 300 };
  }

  /** Draws the report (a new chart the first time and when the theme changed, new data after). */
  show(report: BudgetReportView, rebuild = false): void {
    const data = chartData(report);
    this.element.setAttribute('aria-label', `Spend over time: ${formatUsd(report.spent.usd)} and ${formatTokens(report.spent.tokens)} tokens${report.limits.usd !== undefined ? ` of a ${formatUsd(report.limits.usd)} budget` : ''}, ${report.checkpoints.length} checkpoints.`);
    if (this.plot && !rebuild) return this.plot.setData(data);
    this.plot?.destroy();
    const fg = themeColor('--vscode-foreground', '#cccccc');
    const grid = themeColor('--vscode-editorWidget-border', '#444444');
    const colour = (v: string, f: string): string => themeColor(v, f);
    const red = colour('--vscode-charts-red', '#f14c4c');
    const orange = colour('--vscode-charts-orange', '#d18616');
    const axis = { stroke: fg, grid: { stroke: grid, width: 0.5 }, ticks: { stroke: grid } };
    this.plot = new uPlot(
      {
        ...this.size(),
        scales: { x: { time: true }, usd: { auto: true }, tokens: { auto: true } },
        axes: [axis, { ...axis, scale: 'usd', values: (_u, v) => v.map((x) => `$${x}`) }, { ...axis, scale: 'tokens', side: 1, values: (_u, v) => v.map((x) => formatTokens(x)), grid: { show: false } }],
        series: [
          {},
          { label: 'Reported $', scale: 'usd', stroke: colour('--vscode-charts-blue', '#3794ff'), width: 2 },
          { label: 'Estimated $', scale: 'usd', stroke: colour('--vscode-charts-purple', '#b180d7'), width: 2, dash: [6, 4] },
          { label: 'Total $', scale: 'usd', stroke: fg, width: 1 },
          { label: 'Tokens', scale: 'tokens', stroke: colour('--vscode-charts-green', '#89d185'), width: 1.5 },
          { label: '$ budget', scale: 'usd', stroke: red, width: 2 },
          { label: '$ warning', scale: 'usd', stroke: orange, width: 1.5, dash: [8, 4] },
          { label: 'Token budget', scale: 'tokens', stroke: red, width: 1, dash: [2, 3] },
          { label: 'Token warning', scale: 'tokens', stroke: orange, width: 1, dash: [2, 6] },
          { label: 'Checkpoints', scale: 'usd', stroke: colour('--vscode-charts-yellow', '#cca700'), paths: () => null, points: { show: true, size: 10, width: 2 } },
        ],
      },
      data,
      this.element,
    );
  }
}
